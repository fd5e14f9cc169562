#!/usr/bin/env python3
"""Checks the multi-architecture OCI layout tar of scripts/build-image-index.sh, independently of
the code that wrote it (tests/e2e/test_image_index.sh).

    check_image_index.py TAR --name REF --platforms linux/amd64 linux/arm64

index.json names exactly one descriptor, REF (io.containerd.image.name and
org.opencontainers.image.ref.name), an OCI image index listing one manifest per wanted platform;
every blob hashes to its file name and has the size its descriptor says; each manifest's config
says the manifest's platform and lists the layers' digests as its diff_ids; the layers hold the
agent and its config and no shell. Prints the image index digest on success.
"""
import argparse, gzip, hashlib, io, json, sys, tarfile

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYERS = {"application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip"}

ap = argparse.ArgumentParser()
ap.add_argument("tar")
ap.add_argument("--name", required=True)
ap.add_argument("--platforms", nargs="+", required=True)
args = ap.parse_args()
problems = []


def want(cond, what):
    if not cond:
        problems.append(what)
    return cond


files = {}
with tarfile.open(args.tar) as t:
    for m in t:
        if m.isfile():
            want(m.name not in files, "member %s twice" % m.name)
            files[m.name] = t.extractfile(m).read()
        else:
            want(m.isdir(), "member %s is not a file or directory" % m.name)
want(json.loads(files.get("oci-layout", b"{}")).get("imageLayoutVersion") == "1.0.0", "oci-layout 1.0.0")
for name, data in files.items():
    if name.startswith("blobs/"):
        want(name == "blobs/sha256/" + hashlib.sha256(data).hexdigest(), "blob %s does not hash to its name" % name)


def blob(desc, media_types):
    """The bytes DESC points to, checked against its media type, digest and size."""
    want(desc.get("mediaType") in media_types, "descriptor %s: media type %s" % (desc.get("digest"), desc.get("mediaType")))
    data = files.get("blobs/sha256/" + desc.get("digest", "").removeprefix("sha256:"))
    if not want(data is not None, "blob %s missing" % desc.get("digest")):
        return b""
    want(len(data) == desc.get("size"), "blob %s: %d bytes, descriptor says %s" % (desc["digest"], len(data), desc.get("size")))
    return data


top = json.loads(files.get("index.json", b"{}"))
entries = top.get("manifests", [])
if not want(len(entries) == 1, "index.json lists %d descriptors, want 1 (one reference)" % len(entries)):
    sys.exit("\n".join(problems))
entry = entries[0]
annotations = entry.get("annotations", {})
for key in ("io.containerd.image.name", "org.opencontainers.image.ref.name"):
    want(annotations.get(key) == args.name, "index.json %s = %r, want %r" % (key, annotations.get(key), args.name))
image_index = json.loads(blob(entry, {INDEX}) or b"{}")
want(image_index.get("schemaVersion") == 2, "image index schemaVersion 2")
got_platforms = []
for desc in image_index.get("manifests", []):
    p = desc.get("platform", {})
    platform = "%s/%s" % (p.get("os"), p.get("architecture"))
    got_platforms.append(platform)
    manifest = json.loads(blob(desc, {MANIFEST}) or b"{}")
    want(manifest.get("mediaType") == MANIFEST and manifest.get("schemaVersion") == 2, "%s: manifest media type" % platform)
    config = json.loads(blob(manifest.get("config", {}), {CONFIG}) or b"{}")
    want("%s/%s" % (config.get("os"), config.get("architecture")) == platform,
         "%s: the config says %s/%s" % (platform, config.get("os"), config.get("architecture")))
    diff_ids, names = [], set()
    for layer in manifest.get("layers", []):
        data = blob(layer, LAYERS)
        if layer.get("mediaType", "").endswith("+gzip"):
            data = gzip.decompress(data)
        diff_ids.append("sha256:" + hashlib.sha256(data).hexdigest())
        with tarfile.open(fileobj=io.BytesIO(data)) as lt:
            names |= {n.lstrip("./") for n in lt.getnames()}
    want(diff_ids == config.get("rootfs", {}).get("diff_ids"), "%s: config diff_ids are not the layers' digests" % platform)
    for path in ("usr/bin/sockwarden", "etc/sockwarden/config.yaml"):
        want(path in names, "%s: %s missing from the layers" % (platform, path))
    want("bin/sh" not in names, "%s: a shell in the image" % platform)
want(sorted(got_platforms) == sorted(args.platforms), "platforms %s, want %s" % (got_platforms, args.platforms))
if problems:
    sys.exit("check_image_index: " + "\n  ".join(problems))
print(entry["digest"])
