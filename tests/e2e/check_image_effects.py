#!/usr/bin/env python3
"""Checks for the image cases of test_dockerd_effects.sh and test_podman_effects.sh: each image
request (build, tag, load, import) made through the watched socket by the docker CLI carries the
effect the daemon's image store shows (dockerd's repositories.json, podman's images.json: --source),
with the flags and severity that follow from it.

The sequence: local/busybox:1 is image A, local/sw-evil:1 is C; `docker build -t local/sw-built:1`
makes B; `docker tag local/sw-built:1 local/sw-evil:1` moves sw-evil:1 from C to B; `docker load`
of C's tarball whose manifest names it local/busybox:1 moves busybox:1 from A to C (the name is
inside the tarball, which nothing decodes); `docker import` makes local/sw-imported:1; on dockerd,
`docker pull` of sw-pulled:1 from a private registry (tests/e2e/registry.sh).
Against podman its busybox is localhost/busybox:1 ("busybox" in --images)."""
import argparse
import json
import sys

from e2e_checks import Checks, get

ap = argparse.ArgumentParser()
ap.add_argument("events")
ap.add_argument("--images", required=True)
ap.add_argument("--source", default="docker-image-state")
a = ap.parse_args()

ids = json.load(open(a.images))
events = [json.loads(l) for l in open(a.events) if l.strip()]
check = Checks()


def request(op, pred=lambda e: True):
    found = [e for e in events if get(e, "event.action") == "request" and
             get(e, "sockwarden.request.operation") == op and pred(e)]
    check(f"{op}: one request event", len(found) == 1, str(len(found)))
    return found[0] if found else None


def judged(name, e, want_images, want_flags, severity, mismatch=()):
    if e is None:
        return
    req = e["sockwarden"]["request"]
    eff = req.get("effect") or {}
    check(f"{name}: made by the docker CLI", get(e, "process.name") == "docker", get(e, "process.name"))
    check(f"{name}: effect verified from {a.source}",
          eff.get("status") == "verified" and eff.get("source") == a.source, json.dumps(eff)[:300])
    got = sorted((i["ref"], i["image_id"], i.get("previous", "")) for i in eff.get("images", []))
    check(f"{name}: the references the store changed", got == sorted(want_images), f"{got} vs {sorted(want_images)}")
    flags = req.get("risk_flags", [])
    check(f"{name}: flags {sorted(want_flags)}", set(want_flags) <= set(flags) and
          ("effect-mismatch" in flags) == bool(mismatch), str(flags))
    check(f"{name}: mismatch {list(mismatch)}", eff.get("mismatch") == list(mismatch), str(eff.get("mismatch")))
    check(f"{name}: severity {severity}", req.get("severity") == severity, req.get("severity"))


A, B, C, I = ids["a"], ids["b"], ids["c"], ids["imported"]
busybox = ids.get("busybox", "local/busybox:1")
judged("build -t local/sw-built:1", request("image-build"), [("local/sw-built:1", B, "")], {"image-build"}, "low")
judged("tag local/sw-built:1 local/sw-evil:1", request("image-tag"), [("local/sw-evil:1", B, C)],
       {"image-tag", "image-tag-replaced"}, "medium")
judged("load of the poisoned tarball", request("image-load"), [(busybox, C, A)],
       {"image-pull", "image-tag-replaced"}, "medium")
judged("import as local/sw-imported:1",
       request("image-pull", lambda e: "fromSrc" in (get(e, "url.query") or "")),
       [("local/sw-imported:1", I, "")], {"image-pull"}, "low")
if "pulled" in ids:
    # A pull from the private registry: its tag and the digest reference dockerd records with it.
    ref, repo = ids["pulled_ref"], ids["pulled_ref"].rsplit(":", 1)[0]
    judged(f"pull of {ref} from a registry",
           request("image-pull", lambda e: "fromImage" in (get(e, "url.query") or "")),
           [(ref, ids["pulled"], ""), (f"{repo}@{ids['pulled_digest']}", ids["pulled"], "")], {"image-pull"}, "low")
sys.exit(1 if check.failed else 0)
