#!/usr/bin/env python3
"""Assertions for test_image.sh: the agent container's JSON lines and its `docker inspect`.

Usage: check_image.py EVENTS.jsonl --inspect INSPECT.json --attacker-id ID --agent-id ID
                      --socket PATH --caps "CAP ..."

Prints one PASS/FAIL line per check. Exit status: 0 all passed, 1 a check failed.
"""
import argparse
import json
import os
import sys

from e2e_checks import Checks, get


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("--inspect", required=True, help="`docker inspect` output of the agent container")
    ap.add_argument("--attacker-id", required=True)
    ap.add_argument("--agent-id", required=True)
    ap.add_argument("--socket", required=True, help="the daemon socket's host path, as given to the agent")
    ap.add_argument("--inode", type=int, required=True, help="the daemon socket's inode (stat on the host)")
    ap.add_argument("--caps", required=True, help="the documented capability set, space separated")
    a = ap.parse_args()
    check = Checks()

    events, bad = [], []
    with open(a.events, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as ex:
                bad.append(f"line {n}: {ex}")
    check("every stdout line of the agent container is a JSON object", not bad and events,
          "; ".join(bad[:3]) or f"{len(events)} events")

    action = lambda e: get(e, "event.action")
    cgroup = lambda e: get(e, "sockwarden.cgroup.path") or ""
    from_attacker = lambda e: a.attacker_id in cgroup(e)
    flags = lambda e: get(e, "sockwarden.flags") or []

    start = [e for e in events if action(e) == "agent-start"]
    check("agent-start lists the daemon socket by its host path",
          bool(start) and a.socket in json.dumps(start[0]), json.dumps(start[0])[:300] if start else "none")

    connects = [e for e in events if action(e) == "connect" and from_attacker(e)]
    check("a connect from container attacker on the daemon socket",
          any(get(e, "event.outcome") == "success" and get(e, "container.name") == "attacker" for e in connects),
          f"{len(connects)} connects")
    check("attacker's connects are on the daemon socket's inode",
          bool(connects) and all(get(e, "sockwarden.socket.inode") == a.inode for e in connects),
          f"{[get(e, 'sockwarden.socket.inode') for e in connects[:3]]} want {a.inode}")
    check("attacker's connects: docker executable, flagged container-originated + unexpected-caller",
          bool(connects) and all(get(e, "process.name") == "docker" and "container-originated" in flags(e)
                                 and "unexpected-caller" in flags(e) for e in connects),
          f"{[(get(e, 'process.name'), flags(e)) for e in connects[:2]]}")

    creates = [e for e in events if action(e) == "request" and from_attacker(e)
               and get(e, "sockwarden.request.operation") == "container-create"]
    check("one decoded request POST /containers/create from container attacker", len(creates) == 1,
          f"{len(creates)}")
    if creates:
        c = creates[0]
        rq = get(c, "sockwarden.request") or {}
        check("create: POST /containers/create, caller container attacker",
              get(c, "http.request.method") == "POST" and get(c, "url.path") == "/containers/create"
              and get(c, "container.name") == "attacker",
              f"{get(c, 'http.request.method')} {get(c, 'url.path')} {get(c, 'container.name')}")
        check("create: risk flags privileged + host-mount of /",
              "privileged" in (rq.get("risk_flags") or []) and "/" in (rq.get("host_mounts") or []),
              f"{rq.get('risk_flags')} {rq.get('host_mounts')}")
        check("create: severity critical", rq.get("severity") == "critical", str(rq.get("severity")))

    own = [e for e in events if a.agent_id in cgroup(e)]
    check("nothing is attributed to the agent's own container", not own,
          f"{len(own)}: {[action(e) for e in own[:5]]}")
    lost = sum(get(e, "sockwarden.lost.count", 0) or 0 for e in events if action(e) == "lost")
    check("no lost events", lost == 0, f"{lost}")

    with open(a.inspect, encoding="utf-8") as f:
        info = json.load(f)[0]
    hc = info["HostConfig"]
    want = sorted("CAP_" + c if not c.startswith("CAP_") else c for c in a.caps.split())
    have = sorted("CAP_" + c if not c.startswith("CAP_") else c for c in (hc.get("CapAdd") or []))
    check("inspect: Privileged=false", hc.get("Privileged") is False)
    check("inspect: CapDrop ALL, CapAdd == the documented set",
          [c.upper() for c in hc.get("CapDrop") or []] in (["ALL"], ["CAP_ALL"]) and have == want,
          f"drop {hc.get('CapDrop')} add {have} want {want}")
    check("inspect: read-only root, no-new-privileges, host pid",
          hc.get("ReadonlyRootfs") is True and "no-new-privileges" in (hc.get("SecurityOpt") or [])
          and hc.get("PidMode") == "host", f"{hc.get('ReadonlyRootfs')} {hc.get('SecurityOpt')} {hc.get('PidMode')}")
    mounts = info.get("Mounts") or []
    # A mount of the socket or of any directory above it would hand the agent the socket.
    real = os.path.realpath(a.socket)
    bad_mounts = [m for m in mounts if m.get("Source") and (real == m["Source"] or
                  real.startswith(m["Source"].rstrip("/") + "/") or m["Source"].endswith(".sock"))]
    check("inspect: no mount of the runtime socket or of a directory above it", not bad_mounts,
          f"{[(m.get('Source'), m.get('Destination')) for m in mounts]}")
    check("inspect: every mount read-only", all(m.get("RW") is False for m in mounts),
          f"{[(m.get('Source'), m.get('RW')) for m in mounts]}")

    if check.failed:
        print("--- events (action, container, process, flags):")
        for e in events[:60]:
            print(" ", action(e), get(e, "container.name"), get(e, "process.name"), flags(e), cgroup(e)[-20:])
        sys.exit(1)


if __name__ == "__main__":
    main()
