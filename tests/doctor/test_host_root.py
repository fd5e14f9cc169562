#!/usr/bin/env python3
"""--host-root for `doctor` and `audit`, as `run` has it.

usage: test_host_root.py SOCKWARDEN_BINARY

1. `--host-root /` means "the host's / is my own /": doctor --json and
   audit --json report the same as without the option.
2. A temp directory shaped like a host's / seen from a container: var/run is
   an ABSOLUTE symlink to /run (as on Debian), so a lookup that resolved it
   against the agent's own root would land on this machine's /run instead.
   DIR/run/docker.sock and DIR/run/user/1000/docker.sock are sockets,
   DIR/run/containerd/containerd.sock is a regular file, DIR/srv/extra.sock a
   --socket. doctor and audit must report exactly those, by their host paths
   (/var/run/docker.sock, not DIR/...), with DIR's inodes; audit must read
   DIR/etc/group (members of the socket's group), not this machine's.
Needs root and python3-jsonschema. Cleans up its sockets and temp dir.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "schema", "sockwarden-doctor.schema.json")
GID = 47123  # the fake host's runtime group; not a group of this machine

failures = []


def check(what, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not detail else f"\n      {detail}"))
    if not ok:
        failures.append(what)


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def load(p, what):
    try:
        return json.loads(p.stdout)
    except ValueError:
        check(f"{what}: stdout is JSON", False, p.stdout[:300] + p.stderr[-300:])
        return None


def same_with_retries(label, produce, strip, attempts=3):
    """produce() twice (without, with the option); other tests on this machine may
    create or remove runtime sockets in between, so a difference is retried."""
    last = None
    for _ in range(attempts):
        a, b = produce()
        if a is None or b is None:
            return
        a, b = strip(a), strip(b)
        if a == b:
            check(label, True)
            return
        last = (a, b)
    diff = [k for k in last[0] if last[0].get(k) != last[1].get(k)]
    check(label, False, f"differs in {diff}: {json.dumps(last[0])[:300]} vs {json.dumps(last[1])[:300]}")


def doctor_facts(doc):
    # Everything doctor reports; tier reasons are kernel text and stable.
    return doc


def audit_facts(doc):
    d = dict(doc)
    d["audit"] = {k: v for k, v in doc["audit"].items() if k != "time"}
    d.pop("connections", None)  # who is connected right now churns
    for s in d.get("sockets", []):
        s.pop("listeners", None)
    return d


def make_host_tree(top):
    """A host root: var/run -> /run (absolute), sockets and a decoy file. Returns listening sockets."""
    os.makedirs(f"{top}/run/containerd")
    os.makedirs(f"{top}/run/user/1000")
    os.makedirs(f"{top}/srv")
    os.makedirs(f"{top}/var")
    os.makedirs(f"{top}/etc")
    os.symlink("/run", f"{top}/var/run")
    listeners = []
    for path in ("run/docker.sock", "run/user/1000/docker.sock", "srv/extra.sock"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(f"{top}/{path}")
        s.listen(1)
        listeners.append(s)
    os.chown(f"{top}/run/docker.sock", 0, GID)
    os.chmod(f"{top}/run/docker.sock", 0o660)
    with open(f"{top}/run/containerd/containerd.sock", "w") as f:
        f.write("not a socket\n")
    with open(f"{top}/etc/passwd", "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nswalice:x:51001:51001::/home/swalice:/bin/sh\n"
                "swbob:x:51002:51002::/home/swbob:/bin/sh\n")
    with open(f"{top}/etc/group", "w") as f:
        f.write(f"root:x:0:\nswdocker:x:{GID}:swalice,swbob\n")
    return listeners


def test_doctor_tree(binary, top):
    p = run([binary, "doctor", "--json", "--host-root", top, "--socket", "/srv/extra.sock"])
    doc = load(p, "doctor --host-root DIR")
    if doc is None:
        return
    with open(SCHEMA) as f:
        schema = json.load(f)
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc))
    check("doctor --host-root DIR: validates against the schema", not errors, str([e.message for e in errors[:3]]))
    check(f"doctor --host-root DIR: host_root reported as {top}", doc["host_root"] == top, doc["host_root"])
    by_spec = {s["spec"]: s for s in doc["sockets"]}
    ino = lambda rel: os.stat(f"{top}/{rel}").st_ino

    d = by_spec["/var/run/docker.sock"]["paths"]
    check("doctor: /var/run/docker.sock found through DIR's var/run -> /run, by its host path, DIR's inode",
          d == [{"path": "/var/run/docker.sock", "exists": True, "is_socket": True, "inode": ino("run/docker.sock"),
                 "device": d[0].get("device")}] and d[0].get("device"), json.dumps(d))
    c = by_spec["/run/containerd/containerd.sock"]["paths"]
    check("doctor: DIR/run/containerd/containerd.sock exists but is not a socket",
          c == [{"path": "/run/containerd/containerd.sock", "exists": True, "is_socket": False}], json.dumps(c))
    crio = by_spec["/run/crio/crio.sock"]["paths"]
    check("doctor: /run/crio/crio.sock (absent under DIR) does not exist",
          crio == [{"path": "/run/crio/crio.sock", "exists": False, "is_socket": False}], json.dumps(crio))
    g = by_spec["/run/user/*/docker.sock"]
    check("doctor: the rootless glob matches DIR/run/user/1000/docker.sock only, as a host path",
          g["kind"] == "glob" and [(x["path"], x.get("inode")) for x in g["paths"]] ==
          [("/run/user/1000/docker.sock", ino("run/user/1000/docker.sock"))], json.dumps(g))
    e = by_spec["/srv/extra.sock"]
    check("doctor: --socket /srv/extra.sock found under DIR, source option",
          e["source"] == "option" and e["paths"][0]["inode"] == ino("srv/extra.sock"), json.dumps(e))
    dir_inodes = {ino(r) for r in ("run/docker.sock", "run/user/1000/docker.sock", "srv/extra.sock")}
    reported = {x["inode"] for s in doc["sockets"] for x in s["paths"] if x["is_socket"]}
    check("doctor: every socket reported is one of DIR's (none of this machine's)", reported == dir_inodes,
          f"{reported} vs {dir_inodes}")

    t = run([binary, "doctor", "--host-root", top, "--socket", "/srv/extra.sock"])
    check("doctor text --host-root DIR: names the host root", f"host root:     {top} " in t.stdout, t.stdout[-800:])
    listed = [l.split()[0] for l in t.stdout.split("runtime sockets present:\n", 1)[-1].splitlines()
              if l.startswith("  /")]
    check("doctor text --host-root DIR: lists DIR's three sockets by host path",
          sorted(listed) == ["/run/user/1000/docker.sock", "/srv/extra.sock", "/var/run/docker.sock"], str(listed))
    check("doctor text --host-root DIR: with DIR's inode",
          f"/var/run/docker.sock  inode {ino('run/docker.sock')} " in t.stdout, t.stdout[-800:])


def test_audit_tree(binary, top):
    p = run([binary, "audit", "--json", "--host-root", top])
    doc = load(p, "audit --host-root DIR")
    if doc is None:
        return
    socks = {s["path"]: s for s in doc["sockets"]}
    check("audit --host-root DIR: sockets are DIR's, by host path",
          sorted(socks) == ["/run/user/1000/docker.sock", "/var/run/docker.sock"], str(sorted(socks)))
    d = socks.get("/var/run/docker.sock", {})
    check("audit: /var/run/docker.sock has DIR's inode and its realpath is the host path /run/docker.sock",
          d.get("inode") == os.stat(f"{top}/run/docker.sock").st_ino and d.get("realpath") == "/run/docker.sock",
          json.dumps(d)[:300])
    check("audit: the group and its members come from DIR/etc/group",
          d.get("group") == {"gid": GID, "name": "swdocker", "members": ["swalice", "swbob"]}, json.dumps(d.get("group")))
    f = [x for x in doc["findings"] if x["check"] == "socket-group-members" and x["socket"] == "/var/run/docker.sock"]
    check("audit: a socket-group-members finding for /var/run/docker.sock", len(f) == 1, json.dumps(doc["findings"])[:400])
    r = socks.get("/run/user/1000/docker.sock", {})
    check("audit: the rootless socket under DIR is uid 1000's", r.get("rootless_uid") == 1000, json.dumps(r)[:300])

    bad = run([binary, "audit", "--host-root", f"{top}/missing"])
    check(f"audit --host-root MISSING: usage error, exit 2 ({bad.returncode})",
          bad.returncode == 2 and "--host-root" in bad.stderr and not bad.stdout, bad.stderr[-300:])
    bad = run([binary, "doctor", "--json", "--host-root", "relative/dir"])
    check(f"doctor --host-root relative: usage error, exit 2, nothing on stdout ({bad.returncode})",
          bad.returncode == 2 and "absolute" in bad.stderr and not bad.stdout, bad.stderr[-300:])


def main():
    binary = sys.argv[1]
    if os.geteuid() != 0:
        print("FAIL: needs root (doctor's trial loads, audit's view of every process)")
        return 1

    def doctor_pair():
        a = load(run([binary, "doctor", "--json"]), "doctor --json")
        b = load(run([binary, "doctor", "--json", "--host-root", "/"]), "doctor --json --host-root /")
        return a, b
    same_with_retries("doctor --json --host-root / reports exactly what doctor --json does", doctor_pair, doctor_facts)

    def audit_pair():
        a = load(run([binary, "audit", "--json"]), "audit --json")
        b = load(run([binary, "audit", "--json", "--host-root", "/"]), "audit --json --host-root /")
        return a, b
    same_with_retries("audit --json --host-root / reports what audit --json does (sockets, findings, mounts, tcp)",
                      audit_pair, audit_facts)

    top = tempfile.mkdtemp(prefix="sw-hostroot-")
    listeners = []
    try:
        listeners = make_host_tree(top)
        test_doctor_tree(binary, top)
        test_audit_tree(binary, top)
    finally:
        for s in listeners:
            s.close()
        shutil.rmtree(top, ignore_errors=True)

    for cmd in ("doctor", "audit", "run"):
        h = run([binary, cmd, "--help"])
        check(f"{cmd} --help documents --host-root with the shared text",
              "--host-root DIR" in h.stdout and "host's / as seen from here" in h.stdout, h.stdout[-400:])

    print(f"{len(failures)} failure(s)" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
