#!/usr/bin/env python3
"""Checks for test_dockerd_effects.sh: each risky request of the effects client (one pid) has
its effect established from the daemon's ground truth, and the flags and severity follow it."""
import argparse
import json
import sys

from e2e_checks import Checks, get

ap = argparse.ArgumentParser()
ap.add_argument("events")
ap.add_argument("--client", required=True)
ap.add_argument("--tier", required=True)
ap.add_argument("--target-id", required=True)
ap.add_argument("--runtime", default="docker", choices=["docker", "podman"])
a = ap.parse_args()

client = json.load(open(a.client))
events = [json.loads(l) for l in open(a.events) if l.strip()]
mine = [e for e in events if get(e, "event.action") == "request" and get(e, "process.pid") == client["pid"]]
check = Checks()
check("requests of the client's pid", len(mine) >= 6, f"{len(mine)} request events of pid {client['pid']}")
HIGH = ("high", "critical")
SOURCE = "docker-state" if a.runtime == "docker" else "podman-spec"


def libpod(e):
    return "/libpod/" in (get(e, "url.path") or "")


def one(op, pred=lambda e: True):
    found = [e for e in mine if get(e, "sockwarden.request.operation") == op and pred(e)]
    return found[0] if found else None


for case in ("onewrite", "dribble", "chunked", "lowercase"):
    answered = client["cases"][case]
    check(f"{case}: daemon created the container", answered["status"] == 201 and answered["id"], str(answered))
    e = one("container-create", lambda e, c=case: not libpod(e) and f"name=eff-{c}" in (get(e, "url.query") or ""))
    if not check(f"{case}: request event of the client", e is not None):
        continue
    req = e["sockwarden"]["request"]
    eff = req.get("effect") or {}
    flags = req.get("risk_flags", [])
    check(f"{case}: effect verified from {SOURCE}", eff.get("status") == "verified" and
          eff.get("source") == SOURCE, json.dumps(eff)[:300])
    check(f"{case}: effect is the container the daemon answered", eff.get("container_id") == answered["id"],
          f"{eff.get('container_id')} vs {answered['id']}")
    check(f"{case}: effect privileged, host mount /", eff.get("privileged") is True and "/" in eff.get("host_mounts", []))
    check(f"{case}: flags privileged + host-mount", "privileged" in flags and "host-mount" in flags, str(flags))
    body_said = bool(get(req, "summary.privileged"))
    check(f"{case}: effect-mismatch iff the body did not say privileged ({'read' if body_said else 'unread'})",
          ("effect-mismatch" in flags) == (not body_said), f"flags {flags}, unparsed_body {req.get('unparsed_body')}")
    check(f"{case}: severity high or above", req.get("severity") in HIGH and e["event"]["severity"] >= 73,
          req.get("severity"))
    if case == "onewrite":
        # 16 KiB of padding in one write is past the 4 KiB payload cap: the body cannot be read.
        check("onewrite: body unread, mismatch flagged", req.get("unparsed_body") is True and
              "effect-mismatch" in flags and "privileged" in eff.get("mismatch", []), json.dumps(req)[:400])
    if case == "lowercase":
        check("lowercase: the decoder read the keys as dockerd does (no mismatch)", body_said and
              "effect-mismatch" not in flags, str(flags))



def check_exec(prefix, via_libpod):
    cmd = client["cases"][prefix + "exec_start"]["command"]
    marker = cmd[-1].split(";")[0].split()[-1]
    check(f"{prefix}exec: daemon ran it", client["cases"][prefix + "exec_create"]["status"] == 201 and
          client["cases"][prefix + "exec_start"]["status"] == 200, str(client["cases"]))
    for op in ("exec-create", "exec-start"):
        e = one(op, lambda e: libpod(e) == via_libpod)
        if not check(f"{prefix}{op}: request event of the client", e is not None):
            continue
        req = e["sockwarden"]["request"]
        eff = req.get("effect") or {}
        flags = req.get("risk_flags", [])
        check(f"{prefix}{op}: effect verified from the exec record", eff.get("status") == "verified" and
              eff.get("source") == "exec-record", json.dumps(eff)[:300])
        check(f"{prefix}{op}: the command runc ran", get(eff, "process.command") == cmd, str(get(eff, "process.command")))
        check(f"{prefix}{op}: in the target container", eff.get("container_id") == a.target_id, str(eff.get("container_id")))
        # podman's runc gets no exec id in its arguments: without the reply (syscall-tp) its exec
        # create is tied to the process by container and time only.
        if op == "exec-start" or a.runtime == "docker" or a.tier == "socket-tp":
            check(f"{prefix}{op}: the exec id the daemon answered",
                  eff.get("exec_id") == client["cases"][prefix + "exec_create"]["id"], str(eff.get("exec_id")))
        check(f"{prefix}{op}: the command is nowhere in the decoded body", marker not in json.dumps(req.get("summary", {})))
        check(f"{prefix}{op}: effect-mismatch (the body did not show the command), severity high",
              "effect-mismatch" in flags and req.get("severity") in HIGH, f"{flags} {req.get('severity')}")


check_exec("", False)

if a.runtime == "podman":
    # podman's own libpod API: a SpecGenerator create (privileged, a bind mount of /) behind
    # 16 KiB of whitespace in one write, started; and an exec hidden the same way.
    answered = client["cases"]["libpod_create"]
    check("libpod create: podman created and started it", answered["status"] == 201 and answered.get("start") == 204,
          str(answered))
    e = one("container-create", libpod)
    if check("libpod create: request event of the client", e is not None):
        req = e["sockwarden"]["request"]
        eff = req.get("effect") or {}
        flags = req.get("risk_flags", [])
        check("libpod create: effect verified from podman-spec", eff.get("status") == "verified" and
              eff.get("source") == "podman-spec", json.dumps(eff)[:300])
        check("libpod create: the container podman answered", eff.get("container_id") == answered["id"],
              f"{eff.get('container_id')} vs {answered['id']}")
        check("libpod create: effect privileged, host mount /", eff.get("privileged") is True and
              "/" in eff.get("host_mounts", []), json.dumps(eff)[:300])
        check("libpod create: body unread, flags privileged + host-mount + effect-mismatch, severity high",
              req.get("unparsed_body") is True and {"privileged", "host-mount", "effect-mismatch"} <= set(flags) and
              req.get("severity") in HIGH, f"{flags} {req.get('severity')} unparsed={req.get('unparsed_body')}")
    check_exec("libpod_", True)

# The continuous audit finds the privileged containers; its findings name the request's caller.
if a.runtime == "podman":
    sys.exit(1 if check.failed else 0)
created = {client["cases"][c]["id"] for c in ("onewrite", "dribble", "chunked", "lowercase")}
findings = [e for e in events if get(e, "event.action") == "audit-finding" and get(e, "container.id") in created]
check("audit findings about the created containers", len(findings) > 0, f"{len(findings)}")
caused = [f for f in findings if get(f, "sockwarden.audit.finding.caused_by.process.pid") == client["pid"]]
check("each names the client's create as its cause", findings and len(caused) == len(findings) and
      all(get(f, "sockwarden.audit.finding.caused_by.operation") == "container-create" for f in caused),
      f"{len(caused)} of {len(findings)}")

sys.exit(1 if check.failed else 0)
