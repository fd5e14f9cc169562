#!/usr/bin/env python3
"""Assertions for test_dockerd_contaudit.sh over the agent's JSON lines.

Prints one PASS/FAIL line per check; exit 0 all passed, 1 a check failed.
"""
import argparse
import json
import sys
from datetime import datetime

from e2e_checks import Checks, get


def ts(e):
    return datetime.fromisoformat(e["@timestamp"].replace("Z", "+00:00")).timestamp()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("--container", required=True, help="docker container with the socket mounted")
    ap.add_argument("--container-id", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--containerd-id", required=True, help="containerd container started outside the watched socket")
    a = ap.parse_args()
    check = Checks()

    with open(a.events, encoding="utf-8", errors="replace") as f:
        events = [json.loads(line) for line in f if line.startswith("{")]
    action = lambda e: get(e, "event.action")  # noqa: E731
    finding = lambda e: get(e, "sockwarden.audit.finding", {})  # noqa: E731

    first = events[0] if events else {}
    check("the stream starts with agent-start", action(first) == "agent-start", action(first))

    creates = [e for e in events if action(e) == "request" and get(e, "sockwarden.request.operation") == "container-create"
               and "runtime-socket-mount" in get(e, "sockwarden.request.risk_flags", [])]
    check("the create with the socket mount was decoded (runtime-socket-mount)", len(creates) >= 1, str(len(creates)))

    mine = [e for e in events if get(e, "container.id") == a.container_id]
    found = [e for e in mine if action(e) == "audit-finding" and finding(e).get("rule") == "socket-mounted"]
    resolved = [e for e in mine if action(e) == "audit-finding-resolved" and finding(e).get("rule") == "socket-mounted"]
    check("one audit-finding socket-mounted for the container", len(found) == 1,
          f"{len(found)}: {[finding(e).get('key') for e in found]}")
    if found:
        f = found[0]
        check("it names the container and its image",
              get(f, "container.name") == a.container and get(f, "container.image.name") == "local/busybox:1"
              and get(f, "container.runtime") == "docker",
              json.dumps(get(f, "container")))
        check("ECS state creation, critical (99), rule socket-mounted",
              get(f, "event.kind") == "state" and get(f, "event.type") == ["creation"]
              and get(f, "event.severity") == 99 and get(f, "rule.id") == "socket-mounted"
              and finding(f).get("severity") == "critical", json.dumps(get(f, "event")))
        check("the socket is the watched one", finding(f).get("socket_path") == a.socket, finding(f).get("socket_path"))
        check("evidence and remediation present", bool(finding(f).get("evidence")) and bool(finding(f).get("remediation")))
        # The interval is an hour: only the create (or the start right after it) explains it.
        check("triggered by the container's create or start",
              finding(f).get("trigger") in ("container-create", "container-start"), finding(f).get("trigger"))
        if creates:
            lag = ts(f) - ts(creates[-1])
            check("reported within 6 s of the create request", 0 <= lag <= 6, f"{lag:.2f}s")
    check("one audit-finding-resolved for the container after its removal", len(resolved) == 1, str(len(resolved)))
    if found and resolved:
        r = resolved[0]
        check("same stable key as the finding", finding(r).get("key") == finding(found[0]).get("key"),
              f"{finding(r).get('key')!r}")
        # The first audit after the removal resolves it: the removal's own, or the create's or the
        # start's when that one ran late (all are debounced 1.5 s, and a create reaches the audit
        # only once its effect is settled).
        removes = [e for e in events if action(e) == "request" and get(e, "http.request.method") == "DELETE"
                   and "/containers/" in (get(e, "url.path") or "")]
        check("ECS state deletion, by the first audit after the remove request",
              get(r, "event.type") == ["deletion"]
              and finding(r).get("trigger") in ("container-remove", "container-create", "container-start")
              and bool(removes) and ts(r) >= ts(removes[0]),
              f"{get(r, 'event.type')} {finding(r).get('trigger')} removes={len(removes)}")
        check("resolved after it was found", ts(r) >= ts(found[0]))

    ctrd = [e for e in events if action(e) == "audit-finding"
            and (get(e, "container.id") == a.containerd_id or a.containerd_id in finding(e).get("key", ""))]
    check("the containerd container's socket mount found by the reloaded 2 s interval",
          any(finding(e).get("trigger") == "interval" for e in ctrd),
          str([(finding(e).get("rule"), finding(e).get("trigger")) for e in ctrd]))

    beats = [e for e in events if action(e) == "heartbeat"]
    last = get(beats[-1], "sockwarden.heartbeat.audit", {}) if beats else {}
    check("heartbeat counts the audit runs and events (no errors)",
          last.get("runs", 0) >= 3 and last.get("events", 0) >= 3 and last.get("errors") == 0, json.dumps(last))

    stop = events[-1] if events else {}
    check("the stream ends with agent-stop", action(stop) == "agent-stop", action(stop))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
