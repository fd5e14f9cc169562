#!/usr/bin/env python3
"""Checks for test_containerd_effects.sh: each container and task create of each caller (one
pid each) has its effect read from the task's bundle, each exec and exec start its effect from
the kernel's exec record of the process runc started, and the flags and severity follow them."""
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
# Execs into running tasks: Tasks/Exec (containerd-task-exec) and Tasks/Start of the exec
# (containerd-exec-start), each with the process runc started as its effect.
client = callers["client"]
for who, pid, cid, exec_id, command, hidden in (
        ("hiding gRPC client", client["pid"], "eff-padded", client["exec_id"], client["exec_command"], True),
        ("ctr task exec (plain)", callers["ctr_exec"], "c-plain", "plain-exec", ["/bin/sh", "-c", "sleep 1"], False)):
    for op in ("containerd-task-exec", "containerd-exec-start"):
        name = f"{who}: {op} {cid}"
        e = request(pid, op, cid)
        if not check(f"{name}: request event of pid {pid}", e is not None):
            continue
        req = e["sockwarden"]["request"]
        eff = req.get("effect") or {}
        proc = eff.get("process") or {}
        flags = req.get("risk_flags", [])
        check(f"{name}: effect verified from the exec record, in {cid}, exec {exec_id}",
              eff.get("status") == "verified" and eff.get("source") == "exec-record" and
              eff.get("container_id") == cid and eff.get("exec_id") == exec_id, json.dumps(eff)[:400])
        check(f"{name}: the command runc ran", proc.get("command") == command, json.dumps(proc)[:300])
        check(f"{name}: process of uid 0 with its pid and CapEff",
              proc.get("uid") == 0 and proc.get("pid", 0) > 0 and len(proc.get("cap_effective", "")) == 16,
              json.dumps(proc)[:300])
        check(f"{name}: namespace from the gRPC header", get(req, "grpc.containerd_namespace") == "swtest",
              str(req.get("grpc")))
        check(f"{name}: flag exec", "exec" in flags, str(flags))
        if hidden:
            check(f"{name}: process privileged (CAP_SYS_ADMIN)", proc.get("privileged") is True and
                  "privileged" in flags, json.dumps(proc)[:300])
            check(f"{name}: body unread, effect-mismatch unread-command and privileged",
                  "effect-mismatch" in flags and eff.get("mismatch") == ["unread-command", "privileged"],
                  json.dumps(eff.get("mismatch")))
            if op == "containerd-task-exec":
                check(f"{name}: the spec and exec id past the cap are unread",
                      req.get("unparsed_body") is True and req.get("truncated") is True and
                      "exec_id" not in (req.get("summary") or {}), json.dumps(req.get("summary"))[:300])
            check(f"{name}: severity high or above", req.get("severity") in HIGH and e["event"]["severity"] >= 73,
                  req.get("severity"))
        else:
            check(f"{name}: not privileged, no effect-mismatch", proc.get("privileged") is False and
                  "effect-mismatch" not in flags and "privileged" not in flags and not eff.get("mismatch"),
                  json.dumps(eff)[:300])
            if op == "containerd-task-exec":
                check(f"{name}: the body read: exec id and command", get(req, "summary.exec_id") == exec_id and
                      get(req, "summary.command") == command and req.get("unparsed_body") is False,
                      json.dumps(req.get("summary"))[:300])
            check(f"{name}: severity medium (an exec from the host)", req.get("severity") == "medium",
                  req.get("severity"))

# ctr container create, never a task: the spec containerd stored (meta.db), privileged, / mounted.
e = request(callers["ctr_created"], "containerd-container-create", "c-created")
if check("ctr container create (no task): request event", e is not None):
    req = e["sockwarden"]["request"]
    eff = req.get("effect") or {}
    flags = req.get("risk_flags", [])
    check("ctr container create (no task): effect verified from containerd-metadata",
          eff.get("status") == "verified" and eff.get("source") == "containerd-metadata" and
          eff.get("container_id") == "c-created", json.dumps(eff)[:300])
    check("ctr container create (no task): privileged, host mount /", eff.get("privileged") is True and
          "/" in eff.get("host_mounts", []), json.dumps(eff)[:300])
    check("ctr container create (no task): flags privileged + host-mount, severity high",
          {"privileged", "host-mount"} <= set(flags) and req.get("severity") in HIGH, f"{flags} {req.get('severity')}")

# ctr images import -> Images/Create: the effect is the reference containerd's metadata database
# (meta.db) now holds, in the request's namespace, pointing at the image the archive carried.
pid = callers["ctr_import"]
found = [e for e in requests if get(e, "process.pid") == pid and
         get(e, "sockwarden.request.operation") == "containerd-image-create"]
if check(f"ctr images import: containerd-image-create request event of pid {pid}", bool(found)):
    req = found[0]["sockwarden"]["request"]
    eff = req.get("effect") or {}
    images = eff.get("images") or []
    check("ctr images import: the decoded name", get(req, "summary.image") == "docker.io/library/sw-imported:1",
          json.dumps(req.get("summary")))
    check("ctr images import: effect verified from containerd-metadata",
          eff.get("status") == "verified" and eff.get("source") == "containerd-metadata", json.dumps(eff)[:300])
    check("ctr images import: meta.db now names sw-imported:1 in the namespace",
          any(i.get("ref") == "sw-imported:1" and i.get("namespace") == "swtest" and
              str(i.get("image_id", "")).startswith("sha256:") for i in images), json.dumps(images)[:300])
    check("ctr images import: nothing it did not name (no mismatch)", eff.get("mismatch") == [] and
          "effect-mismatch" not in req.get("risk_flags", []), json.dumps(eff)[:300])
    check("ctr images import: image-pull flag for the reference", "image-pull" in req.get("risk_flags", []),
          str(req.get("risk_flags")))
sys.exit(1 if check.failed else 0)
