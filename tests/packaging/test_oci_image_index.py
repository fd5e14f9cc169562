#!/usr/bin/env python3
"""scripts/lib/oci_image_index.py on synthetic `docker save` archives (no docker, no root):
what it accepts (the legacy layout with a repeated layer linked to its first copy, the OCI-based
layout of docker >= 25, a gzip layer) and the untrusted input it refuses, each with its reason.

    test_oci_image_index.py SOURCE_DIR
"""
import gzip, hashlib, io, json, os, subprocess, sys, tarfile, tempfile

SRC = sys.argv[1]
TOOL = os.path.join(SRC, "scripts/lib/oci_image_index.py")
CHECK = os.path.join(SRC, "tests/e2e/check_image_index.py")
NAME = "docker.io/library/sockwarden:local"
failures = []


def tar_bytes(entries):
    """A tar of (name, bytes) regular files, or (name, None, linkname) symlinks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for e in entries:
            ti = tarfile.TarInfo(e[0])
            if e[1] is None:
                ti.type, ti.linkname = tarfile.SYMTYPE, e[2]
                t.addfile(ti)
            else:
                ti.size = len(e[1])
                t.addfile(ti, io.BytesIO(e[1]))
    return buf.getvalue()


def layer(arch):
    return tar_bytes([("usr/bin/sockwarden", b"agent for " + arch.encode()),
                      ("etc/sockwarden/config.yaml", b"sockets: []\n")])


def sha(b):
    return hashlib.sha256(b).hexdigest()


def saved(path, arch="amd64", layers=None, diff_ids=None, extra=(), manifest=None, oci=False,
          config_name=None, layer_names=None, drop_layers=False):
    """Writes a docker save archive of one image: legacy layout, or OCI-based with oci=True."""
    layers = layers if layers is not None else [layer(arch)]
    if diff_ids is None:
        diff_ids = ["sha256:" + sha(gzip.decompress(l) if l[:2] == b"\x1f\x8b" else l) for l in layers]
    config = json.dumps({"architecture": arch, "os": "linux", "config": {"Entrypoint": ["/usr/bin/sockwarden"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    entries = []
    config_path = config_name or ("blobs/sha256/" + sha(config) if oci else sha(config) + ".json")
    if layer_names:
        paths = layer_names
    elif oci:
        paths = ["blobs/sha256/" + sha(l) for l in layers]
    else:
        paths = ["%d%s/layer.tar" % (i, sha(l)[1:]) for i, l in enumerate(layers)]
    entries.append((config_path, config))
    for p, l in zip(paths, layers):
        if l is not None and not drop_layers and p not in [e[0] for e in entries]:
            entries.append((p, l))
    entries.extend(extra)
    m = manifest if manifest is not None else [{"Config": config_path, "RepoTags": ["sockwarden:local"], "Layers": paths}]
    entries.append(("manifest.json", json.dumps(m).encode()))
    with open(path, "wb") as f:
        f.write(tar_bytes(entries))
    return path


def run(out, *saves):
    return subprocess.run([sys.executable, TOOL, "--name", NAME, "-o", out, *saves], capture_output=True, text=True)


def expect_ok(what, out, *saves):
    r = run(out, *saves)
    if r.returncode != 0:
        failures.append("%s: refused: %s" % (what, r.stderr.strip()))
        return False
    c = subprocess.run([sys.executable, CHECK, out, "--name", NAME, "--platforms",
                        *["linux/" + a for a in ("amd64", "arm64")]], capture_output=True, text=True)
    if c.returncode != 0:
        failures.append("%s: written layout fails check_image_index.py: %s" % (what, c.stderr.strip()))
        return False
    print("ok: %s" % what)
    return True


def expect_refused(what, reason, *saves):
    out = os.path.join(tmp, "refused-%d.tar" % len(os.listdir(tmp)))
    r = run(out, *saves)
    if r.returncode == 0 or reason not in r.stderr:
        failures.append("%s: want refusal mentioning %r, got exit %d: %s" % (what, reason, r.returncode, r.stderr.strip()))
    elif os.path.exists(out):
        failures.append("%s: refused but left %s behind" % (what, out))
    else:
        print("ok: refused %s (%s)" % (what, r.stderr.strip().splitlines()[-1]))


with tempfile.TemporaryDirectory() as tmp:
    p = lambda n: os.path.join(tmp, n)
    amd, arm = saved(p("amd64.tar")), saved(p("arm64.tar"), "arm64")
    if expect_ok("legacy docker save, amd64 + arm64", p("out1.tar"), amd, arm):
        expect_ok("same inputs in the other order", p("out2.tar"), arm, amd)
        if open(p("out1.tar"), "rb").read() != open(p("out2.tar"), "rb").read():
            failures.append("the same images gave different bytes (not reproducible)")
        else:
            print("ok: reproducible")
    # Legacy docker save writes a repeated layer once and links the repeat to it.
    rep = layer("arm64")
    first = "first/layer.tar"
    expect_ok("a repeated layer linked to its first copy", p("out3.tar"), amd,
              saved(p("arm64-link.tar"), "arm64", layers=[rep, None], diff_ids=["sha256:" + sha(rep)] * 2,
                    layer_names=[first, "other/layer.tar"], extra=[("other/layer.tar", None, "../" + first)]))
    expect_ok("OCI-based docker save (docker >= 25) and a gzip layer", p("out4.tar"),
              saved(p("amd64-oci.tar"), oci=True), saved(p("arm64-gz.tar"), "arm64", layers=[gzip.compress(layer("arm64"), mtime=0)]))

    expect_refused("a member named ../x", "unsafe member name", amd, saved(p("a.tar"), "arm64", extra=[("../x", b"")]))
    expect_refused("an absolute member name", "unsafe member name", amd, saved(p("b.tar"), "arm64", extra=[("/etc/x", b"")]))
    expect_refused("a layer linked out of the archive", "links outside", amd,
                   saved(p("c.tar"), "arm64", layers=[layer("arm64"), None], layer_names=["l/layer.tar", "m/layer.tar"],
                         diff_ids=["sha256:" + sha(layer("arm64"))] * 2,
                         extra=[("m/layer.tar", None, "../../../etc/passwd")]))
    expect_refused("a layer that is not what the config says", "config says", amd,
                   saved(p("d.tar"), "arm64", diff_ids=["sha256:" + "0" * 64]))
    expect_refused("a config that does not hash to its name", "does not hash to its name", amd,
                   saved(p("e.tar"), "arm64", config_name="0" * 64 + ".json"))
    expect_refused("two images in one save", "exactly one image", amd,
                   saved(p("f.tar"), "arm64", manifest=[{"Config": "x", "Layers": []}] * 2))
    expect_refused("a manifest.json path to a missing layer", "not in the archive", amd,
                   saved(p("g.tar"), "arm64", drop_layers=True))
    expect_refused("two amd64 images", "are both linux/amd64", amd, saved(p("h.tar")))
    expect_refused("a platform this project does not build", "expected linux/", amd, saved(p("i.tar"), "s390x"))
    with open(p("trunc.tar"), "wb") as f:
        f.write(open(arm, "rb").read()[:1500])
    expect_refused("a truncated archive", "trunc.tar", amd, p("trunc.tar"))

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("oci_image_index: all cases as expected")
