#!/usr/bin/env python3
"""Assertions for test_podman_trace.sh over the agent's JSON lines (see that script)."""
import argparse
import json
import sys

from e2e_checks import Checks, get


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("--container-id", required=True)
    ap.add_argument("--host-cli", required=True)
    ap.add_argument("--inode", type=int, required=True)
    a = ap.parse_args()
    check = Checks()

    with open(a.events, encoding="utf-8", errors="replace") as f:
        events = [json.loads(line) for line in f if line.strip()]
    action = lambda e: get(e, "event.action")
    flags = lambda e: get(e, "sockwarden.flags") or []
    cgroup = lambda e: get(e, "sockwarden.cgroup.path") or ""
    calls = [e for e in events if action(e) in ("connect", "send")]

    ctr = [e for e in calls if cgroup(e).endswith(f"/libpod-{a.container_id}")]
    check("container: connect and send from cgroup .../libpod-<id> (podman, cgroupfs manager)",
          any(action(e) == "connect" for e in ctr) and any(action(e) == "send" for e in ctr),
          f"{len(ctr)} events; cgroups {sorted({cgroup(e) for e in calls})[:4]}")
    check("container: on the podman socket's inode (through the /run/other.sock bind mount)",
          bool(ctr) and all(get(e, "sockwarden.socket.inode") == a.inode for e in ctr))
    check("container: container.id, name 'pmattacker', runtime 'podman'",
          bool(ctr) and all(get(e, "container.id") == a.container_id and get(e, "container.name") == "pmattacker"
                            and get(e, "container.runtime") == "podman" for e in ctr),
          f"{sorted({(str(get(e, 'container.name')), str(get(e, 'container.runtime'))) for e in ctr})}")
    check("container: container.image.name 'localhost/busybox:1'",
          bool(ctr) and all(get(e, "container.image.name") == "localhost/busybox:1" for e in ctr),
          f"{sorted({str(get(e, 'container.image.name')) for e in ctr})}")
    check("container: process.executable /usr/local/bin/docker, parent sh",
          bool(ctr) and all(get(e, "process.executable") == "/usr/local/bin/docker"
                            and get(e, "process.parent.name") == "sh" for e in ctr),
          f"{sorted({(str(get(e, 'process.executable')), str(get(e, 'process.parent.name'))) for e in ctr})}")
    check("container: flagged container-originated and unexpected-caller",
          bool(ctr) and all({"container-originated", "unexpected-caller"} <= set(flags(e)) for e in ctr))
    payloads = " ".join(get(e, "sockwarden.payload") or "" for e in ctr if action(e) == "send")
    check("container: 'GET /v.../containers/json' and 'POST /v.../containers/create' sent",
          "/containers/json" in payloads and "/containers/create" in payloads)

    host = [e for e in calls if get(e, "process.executable") == a.host_cli]
    check("host CLI (expected): events without caller flags, expected_by names the rule",
          bool(host) and all(not ({"container-originated", "unexpected-caller", "namespaced"} & set(flags(e)))
                             and get(e, "sockwarden.expected_by") == f"exe:{a.host_cli}" for e in host),
          f"{len(host)} events")
    lost = [e for e in events if action(e) == "lost"]
    check("zero 'lost' events", not lost)

    if check.failed:
        for e in events[:60]:
            print("  ", action(e), get(e, "process.pid"), get(e, "process.name"), cgroup(e)[-30:],
                  get(e, "container.name"), get(e, "container.runtime"), flags(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
