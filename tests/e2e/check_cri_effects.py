#!/usr/bin/env python3
"""Checks for test_cri_effects.sh: each CRI CreateContainer and StartContainer of the client has
its effect read from the bundle the CRI plugin wrote, and the flags and severity follow it."""
import argparse
import json
import sys

from e2e_checks import Checks, get

ap = argparse.ArgumentParser()
ap.add_argument("events")
ap.add_argument("--client", required=True)
ap.add_argument("--pull", required=True, help="cri_client.py --pull's output")
ap.add_argument("--tier", required=True)
a = ap.parse_args()

client = json.load(open(a.client))
events = [json.loads(l) for l in open(a.events) if l.strip()]
mine = [e for e in events if get(e, "event.action") == "request" and get(e, "process.pid") == client["pid"]]
check = Checks()
HIGH = ("high", "critical")

for name, privileged in (("priv", True), ("plain", False)):
    cid = client["containers"][name]
    create = [e for e in mine if get(e, "sockwarden.request.operation") == "cri-create-container"
              and get(e, "sockwarden.request.summary.name") == name]
    start = [e for e in mine if get(e, "sockwarden.request.operation") == "cri-start-container"
             and get(e, "sockwarden.request.summary.container") == cid]
    for what, found in (("CreateContainer", create), ("StartContainer", start)):
        label = f"{name}: {what}"
        if not check(f"{label}: one request event of the client", len(found) == 1, str(len(found))):
            continue
        req = found[0]["sockwarden"]["request"]
        eff = req.get("effect") or {}
        flags = req.get("risk_flags", [])
        check(f"{label}: effect verified from the bundle of the container the daemon made",
              eff.get("status") == "verified" and eff.get("source") == "containerd-bundle" and
              eff.get("container_id") == cid, json.dumps(eff)[:300])
        if privileged:
            check(f"{label}: effect privileged, host mount /", eff.get("privileged") is True and
                  "/" in eff.get("host_mounts", []), json.dumps(eff)[:300])
            check(f"{label}: severity high or above", req.get("severity") in HIGH, req.get("severity"))
            if what == "CreateContainer":
                check(f"{label}: the body hid it (16 KiB label first): effect-mismatch privileged and /",
                      "effect-mismatch" in flags and "privileged" in eff.get("mismatch", []) and
                      "host-mount:/" in eff.get("mismatch", []), f"{flags} {eff.get('mismatch')}")
        else:
            # The pod is privileged and on the host network, and the create's body carries the
            # pod's config: the decoded reading says so. The container itself is not privileged;
            # it shares the pod's namespaces, of which network and UTS are the host's (the CRI
            # plugin gives a host-network pod the host's UTS), pid and ipc the pod's own.
            check(f"{label}: effect not privileged, no host mount, host network and UTS only, no mismatch",
                  eff.get("privileged") is False and not eff.get("host_mounts") and
                  eff.get("namespaces") == {"network": "host", "uts": "host"} and "effect-mismatch" not in flags,
                  f"{flags} {json.dumps(eff)[:300]}")

# kubelet's ExecSync into the privileged container: judged by the kernel's exec record of the
# process runc started there (namespace k8s.io), privileged as its container; the body showed
# the command and a CRI exec cannot ask for privilege: no mismatch.
ex = client["exec_sync"]
check("ExecSync: the plugin ran it", "cri-exec-marker" in ex["stdout"], str(ex))
found = [e for e in mine if get(e, "sockwarden.request.operation") == "cri-exec"]
if check("ExecSync: one request event of the client", len(found) == 1, str(len(found))):
    req = found[0]["sockwarden"]["request"]
    eff = req.get("effect") or {}
    flags = req.get("risk_flags", [])
    check("ExecSync: effect verified from the exec record, in the privileged container",
          eff.get("status") == "verified" and eff.get("source") == "exec-record" and
          eff.get("container_id") == client["containers"]["priv"], json.dumps(eff)[:300])
    check("ExecSync: the command runc ran", get(eff, "process.command") == ex["command"], str(get(eff, "process.command")))
    check("ExecSync: privileged, flags exec + privileged, severity high",
          get(eff, "process.privileged") is True and {"exec", "privileged"} <= set(flags) and req.get("severity") in HIGH,
          f"{flags} {req.get('severity')} {json.dumps(eff.get('process'))[:200]}")
    check("ExecSync: no mismatch (the body said the command; privilege is the container's)",
          "effect-mismatch" not in flags and not eff.get("mismatch"), f"{flags} {eff.get('mismatch')}")

# PullImage from the private registry: the names containerd's metadata database now holds.
pull = json.load(open(a.pull))
want = pull["image"]
found = [e for e in events if get(e, "event.action") == "request" and get(e, "process.pid") == pull["pid"] and
         get(e, "sockwarden.request.operation") == "cri-pull-image"]
if check(f"PullImage: cri-pull-image request event of pid {pull['pid']}", len(found) == 1, str(len(found))):
    req = found[0]["sockwarden"]["request"]
    eff = req.get("effect") or {}
    images = eff.get("images") or []
    check("PullImage: the decoded image", get(req, "summary.image") == want, json.dumps(req.get("summary")))
    check("PullImage: effect verified from containerd-metadata",
          eff.get("status") == "verified" and eff.get("source") == "containerd-metadata", json.dumps(eff)[:300])
    check(f"PullImage: meta.db now names {want} in k8s.io",
          any(i.get("ref") == want and i.get("namespace") == "k8s.io" and i.get("image_id", "").startswith("sha256:")
              for i in images), json.dumps(images)[:400])
    check("PullImage: no name it did not ask for (its digest reference is the same repository)",
          eff.get("mismatch") == [] and "effect-mismatch" not in req.get("risk_flags", []), json.dumps(eff)[:400])

sys.exit(1 if check.failed else 0)
