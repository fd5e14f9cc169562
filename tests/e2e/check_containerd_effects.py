#!/usr/bin/env python3
"""Checks for test_containerd_effects.sh: each container and task create of each caller (one
pid each) has its effect read from the task's bundle, and the flags and severity follow it."""
import argparse
import json
import sys

from e2e_checks import Checks, get

ap = argparse.ArgumentParser()
ap.add_argument("events")
ap.add_argument("--callers", required=True)
ap.add_argument("--tier", required=True)
a = ap.parse_args()

callers = json.load(open(a.callers))
events = [json.loads(l) for l in open(a.events) if l.strip()]
requests = [e for e in events if get(e, "event.action") == "request"]
check = Checks()
HIGH = ("high", "critical")


def request(pid, op, cid):
    found = [e for e in requests if get(e, "process.pid") == pid and
             get(e, "sockwarden.request.operation") == op and get(e, "sockwarden.request.summary.container") == cid]
    return found[0] if found else None


for who, pid, cid, privileged in (("ctr --privileged", callers["ctr_privileged"], "c-priv", True),
                                  ("hiding gRPC client", callers["client"]["pid"], "eff-padded", True),
                                  ("ctr (plain)", callers["ctr_plain"], "c-plain", False)):
    for op in ("containerd-container-create", "containerd-task-create"):
        name = f"{who}: {op} {cid}"
        e = request(pid, op, cid)
        if not check(f"{name}: request event of pid {pid}", e is not None):
            continue
        req = e["sockwarden"]["request"]
        eff = req.get("effect") or {}
        flags = req.get("risk_flags", [])
        check(f"{name}: effect verified from the task bundle", eff.get("status") == "verified" and
              eff.get("source") == "containerd-bundle" and eff.get("container_id") == cid, json.dumps(eff)[:300])
        check(f"{name}: namespace from the gRPC header", get(req, "grpc.containerd_namespace") == "swtest",
              str(req.get("grpc")))
        if privileged:
            check(f"{name}: effect privileged, host mount /",
                  eff.get("privileged") is True and "/" in eff.get("host_mounts", []), json.dumps(eff)[:300])
            check(f"{name}: flags privileged + host-mount", "privileged" in flags and "host-mount" in flags, str(flags))
            check(f"{name}: severity high or above", req.get("severity") in HIGH and e["event"]["severity"] >= 73,
                  req.get("severity"))
            if op == "containerd-container-create":
                # The spec (12 KiB, or behind 16 KiB of padding) is past the 4 KiB payload cap.
                check(f"{name}: body unread, effect-mismatch privileged",
                      req.get("unparsed_body") is True and "effect-mismatch" in flags and
                      "privileged" in eff.get("mismatch", []), json.dumps(req)[:400])
                check(f"{name}: mismatch names privileged once, not every capability and device",
                      not any(m.startswith(("cap-add:", "device:")) for m in eff.get("mismatch", [])),
                      str(eff.get("mismatch"))[:300])
        else:
            check(f"{name}: effect not privileged, no host mount", eff.get("privileged") is False and
                  not eff.get("host_mounts"), json.dumps(eff)[:300])
            check(f"{name}: no effect-mismatch, not privileged", "effect-mismatch" not in flags and
                  "privileged" not in flags, str(flags))

# The hiding client's task create shares its connection with the cut create: decoded after the
# gap (framing picked up at the next write), and marked so.
e = request(callers["client"]["pid"], "containerd-task-create", "eff-padded")
if e:
    check("client: task create decoded after the capture gap, marked",
          "decoded-after-capture-gap" in (get(e, "sockwarden.request.anomalies") or []),
          str(get(e, "sockwarden.request.anomalies")))
sys.exit(1 if check.failed else 0)
