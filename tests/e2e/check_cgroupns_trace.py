#!/usr/bin/env python3
"""Assertions for test_cgroupns_trace.sh over the agents' JSON lines.

Usage: check_cgroupns_trace.py --inode N --container-id ID --container-name NAME
                               --attributed EVENTS.jsonl [...] --control EVENTS.jsonl

--attributed: agents that can reach the host's cgroup2 hierarchy; the in-container docker CLI's
calls must carry the container's name, id and host cgroup path, flagged container-originated,
and the host CLI's (docker exec) must not. --control: an agent that cannot; nothing in it may
be attributed to the container (the setup really hides the hierarchy).
Exit status: 0 all passed, 1 a check failed.
"""
import argparse
import json
import sys

from e2e_checks import Checks, get

CTR_CLI = "/usr/local/bin/docker"


def load(path, check):
    events, bad = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as ex:
                bad.append(f"line {n}: {ex}")
    check(f"{path}: every line is a JSON object", not bad, "; ".join(bad[:3]))
    return events


def flags(e):
    return get(e, "sockwarden.flags") or []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inode", type=int, required=True)
    ap.add_argument("--container-id", required=True)
    ap.add_argument("--container-name", required=True)
    ap.add_argument("--host-cli", required=True, help="path of the host's docker CLI (docker exec)")
    ap.add_argument("--attributed", action="append", required=True)
    ap.add_argument("--control", required=True)
    a = ap.parse_args()
    check = Checks()
    cid, name = a.container_id, a.container_name

    for path in a.attributed:
        events = load(path, check)
        calls = [e for e in events if get(e, "event.action") in ("connect", "send")
                 and get(e, "sockwarden.socket.inode") == a.inode]
        ctr = [e for e in calls if get(e, "process.executable") == CTR_CLI]
        other = [e for e in calls if get(e, "process.executable") not in (CTR_CLI, a.host_cli)]
        check(f"{path}: every call is the container's CLI or the host's", not other,
              f"{sorted({str(get(e, 'process.executable')) for e in other})}")
        check(f"{path}: the in-container CLI's connect and send were seen",
              any(get(e, "event.action") == "connect" for e in ctr) and any(get(e, "event.action") == "send" for e in ctr),
              f"{len(ctr)} of {len(calls)} calls")
        check(f"{path}: its request is 'GET /v.../containers/json'",
              any("/containers/json" in (get(e, "sockwarden.payload") or "") for e in ctr))
        check(f"{path}: attributed to container '{name}' ({cid[:12]}), runtime docker",
              bool(ctr) and all(get(e, "container.name") == name and get(e, "container.id") == cid
                                and get(e, "container.runtime") == "docker" for e in ctr),
              f"{sorted({(str(get(e, 'container.name')), str(get(e, 'container.id'))[:12]) for e in ctr})}")
        check(f"{path}: cgroup path is the host's /docker/<id>, not namespace-relative",
              bool(ctr) and all(get(e, "sockwarden.cgroup.path") == f"/docker/{cid}" for e in ctr),
              f"{sorted({str(get(e, 'sockwarden.cgroup.path')) for e in ctr})}")
        check(f"{path}: flagged container-originated",
              bool(ctr) and all("container-originated" in flags(e) for e in ctr), f"{[flags(e) for e in ctr[:2]]}")
        host = [e for e in calls if get(e, "process.executable") == a.host_cli]
        check(f"{path}: the host CLI (docker exec) is neither in a container nor container-originated",
              bool(host) and all(get(e, "container.id") is None and "container-originated" not in flags(e)
                                 for e in host),
              f"{len(host)} host calls, {sorted({str(get(e, 'container.name')) for e in host})}")

    control = load(a.control, check)
    # Caller events only: the continuous audit's findings name containers from /proc text, not ids.
    control_calls = [e for e in control if get(e, "event.action") in ("connect", "send", "reply", "existing-connection")]
    check(f"{a.control} (no host hierarchy): the agent captured calls", bool(control_calls),
          f"{len(control_calls)} calls")
    leaked = [e for e in control_calls if get(e, "container.id") == cid or get(e, "container.name") == name
              or "container-originated" in flags(e)]
    check(f"{a.control} (no host hierarchy): no call attributed to the container", not leaked,
          f"{len(leaked)} attributed calls")

    if check.failed:
        print(f"{len(check.failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
