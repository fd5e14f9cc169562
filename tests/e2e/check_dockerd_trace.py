#!/usr/bin/env python3
"""Assertions for test_dockerd_trace.sh over the agent's JSON lines.

Usage: check_dockerd_trace.py EVENTS.jsonl --tier T --inode N --container-id ID --host-mntns N

Prints one PASS/FAIL line per check, and on any failure a compact dump of the events.
Exit status: 0 all passed, 1 a check failed.
"""
import argparse
import json
import sys


from e2e_checks import Checks, get

# Events with no caller and no socket: losses, the agent's own lifecycle and health, and the
# continuous audit's findings (run audits by default).
AGENT_ACTIONS = ("lost", "agent-start", "agent-stop", "heartbeat", "audit-finding", "audit-finding-resolved")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("--tier", required=True)
    ap.add_argument("--inode", type=int, required=True, help="inode of the daemon socket (stat on the host path)")
    ap.add_argument("--container-id", required=True, help="full 64-hex id of the attacker container")
    ap.add_argument("--host-mntns", type=int, required=True)
    ap.add_argument("--host-cli", required=True, help="path of the host docker CLI given to --expect")
    ap.add_argument("--containerd-inode", type=int, required=True, help="inode of the private containerd's socket")
    ap.add_argument("--containerd-id", required=True, help="64-hex id of the ctr container (namespace swtest)")
    a = ap.parse_args()

    check = Checks()

    events, bad_lines = [], []
    with open(a.events, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as ex:
                bad_lines.append(f"line {n}: {ex}")
    check("every output line is a JSON object", not bad_lines, "; ".join(bad_lines[:3]))
    check("the agent emitted events", len(events) > 0, f"{len(events)} events")

    def action(e):
        return get(e, "event.action")

    def payload(e):
        return get(e, "sockwarden.payload") or ""

    def cgroup(e):
        return get(e, "sockwarden.cgroup.path") or ""

    cid = a.container_id
    in_container = lambda e: f"/docker/{cid}" in cgroup(e)
    in_ctrd = lambda e: cgroup(e) == f"/swtest/{a.containerd_id}"
    on_daemon_sock = lambda e: get(e, "sockwarden.socket.inode") == a.inode

    # Every non-loss event is about the watched socket and carries the requested tier.
    on_ctrd_sock = lambda e: get(e, "sockwarden.socket.inode") == a.containerd_inode
    foreign = [e for e in events if action(e) not in AGENT_ACTIONS and not on_daemon_sock(e) and not on_ctrd_sock(e)]
    check("all events are on the daemon or containerd socket inode", not foreign,
          f"{len(foreign)} events on other inodes" if foreign else f"inodes {a.inode}, {a.containerd_inode}")
    wrong_tier = [e for e in events if action(e) not in AGENT_ACTIONS and get(e, "sockwarden.tier") != a.tier]
    check(f"all events report tier {a.tier}", not wrong_tier, f"{len(wrong_tier)} with another tier")

    # (a) the host docker CLI
    host_cli = [e for e in events if get(e, "process.name") == "docker" and not in_container(e) and not in_ctrd(e)]
    host_connects = [e for e in host_cli if action(e) == "connect" and get(e, "event.outcome") == "success"]
    check("(a) host docker CLI: successful connect(s) on the daemon socket", bool(host_connects),
          f"{len(host_connects)} connects")
    host_sends = [e for e in host_cli if action(e) == "send"]
    ps_sends = [e for e in host_sends if "GET /v" in payload(e) and "/containers/json" in payload(e)]
    check("(a) host docker CLI: send with 'GET /v.../containers/json' (docker ps)", bool(ps_sends),
          f"{len(host_sends)} host sends")
    ver_sends = [e for e in host_sends if "GET /v" in payload(e) and "/version" in payload(e)]
    check("(a) host docker CLI: send with 'GET /v.../version' (docker version)", bool(ver_sends))
    # The request is attributed to the process that connected: same pid and same connection.
    conn_pid = {(get(e, "sockwarden.connection"), get(e, "process.pid")) for e in host_connects}
    attributed = [e for e in ps_sends
                  if (get(e, "sockwarden.connection"), get(e, "process.pid")) in conn_pid
                  and " ps" in (get(e, "process.command_line") or "")]
    check("(a) 'docker ps' request has the connecting pid, its connection and command line", bool(attributed),
          "; ".join(f"pid={get(e, 'process.pid')} conn={get(e, 'sockwarden.connection')} "
                    f"cmd={get(e, 'process.command_line')!r}" for e in ps_sends[:2]))

    # (b) the docker CLI inside the container, through the bind-mount alias /host/d.sock
    ctr = [e for e in events if in_container(e)]
    check(f"(b) events from inside the container (cgroup /docker/{cid[:12]}...)", bool(ctr), f"{len(ctr)} events")
    ctr_connects = [e for e in ctr if action(e) == "connect" and get(e, "event.outcome") == "success"]
    check("(b) container: successful connect on the host socket's inode via /host/d.sock",
          bool(ctr_connects) and all(on_daemon_sock(e) for e in ctr_connects),
          f"{len(ctr_connects)} connects, inodes {sorted({get(e, 'sockwarden.socket.inode') for e in ctr_connects})}")
    check("(b) container events are from the docker CLI",
          bool(ctr) and all(get(e, "process.name") == "docker" for e in ctr),
          f"names {sorted({str(get(e, 'process.name')) for e in ctr})}")
    mntns = sorted({get(e, "sockwarden.namespaces.mnt") for e in ctr})
    check("(b) container events are in a mount namespace other than the host's",
          bool(ctr) and a.host_mntns not in mntns, f"host {a.host_mntns}, events {mntns}")
    ctr_sends = [e for e in ctr if action(e) == "send"]
    check("(b) container: send with 'GET /v.../containers/json' (docker ps)",
          any("GET /v" in payload(e) and "/containers/json" in payload(e) for e in ctr_sends))
    creates = [e for e in ctr_sends if "POST /v" in payload(e) and "/containers/create" in payload(e)]
    check("(b) container: send with 'POST /v.../containers/create'", bool(creates), f"{len(ctr_sends)} sends")
    # What a monitor must see: the request body asks for a privileged container mounting /.
    create_conns = {get(e, "sockwarden.connection") for e in creates}
    bodies = [e for e in ctr_sends if get(e, "sockwarden.connection") in create_conns
              and '"Privileged":true' in payload(e)]
    check("(b) container: create body with \"Privileged\":true on that connection", bool(bodies))
    check("(b) container: create body binds '/:/host'", any('"/:/host"' in payload(e) for e in bodies))

    # (e) who is calling: container identity, executable, ancestry and caller flags
    def flags(e):
        return get(e, "sockwarden.flags") or []

    ctr_calls = [e for e in ctr if action(e) in ("connect", "send")]
    check("(e) container events: container.id is the attacker's",
          bool(ctr_calls) and all(get(e, "container.id") == cid for e in ctr_calls))
    check("(e) container events: container.name 'attacker', runtime 'docker'",
          bool(ctr_calls) and all(get(e, "container.name") == "attacker" and get(e, "container.runtime") == "docker"
                                  for e in ctr_calls),
          f"names {sorted({str(get(e, 'container.name')) for e in ctr_calls})}")
    check("(e) container events: container.image.name 'local/busybox:1'",
          bool(ctr_calls) and all(get(e, "container.image.name") == "local/busybox:1" for e in ctr_calls),
          f"images {sorted({str(get(e, 'container.image.name')) for e in ctr_calls})}")
    check("(e) container events: process.executable is the docker CLI inside (/usr/local/bin/docker)",
          bool(ctr_calls) and all(get(e, "process.executable") == "/usr/local/bin/docker" for e in ctr_calls),
          f"{sorted({str(get(e, 'process.executable')) for e in ctr_calls})}")
    check("(e) container events: parent is the container's shell",
          bool(ctr_calls) and all(get(e, "process.parent.name") == "sh" for e in ctr_calls),
          f"{sorted({str(get(e, 'process.parent.name')) for e in ctr_calls})}")
    check("(e) container events: flagged container-originated and unexpected-caller",
          bool(ctr_calls) and all("container-originated" in flags(e) and "unexpected-caller" in flags(e)
                                  for e in ctr_calls),
          f"{[flags(e) for e in ctr_calls[:2]]}")
    host_calls = [e for e in host_cli if action(e) in ("connect", "send")]
    check("(e) host CLI (on the expected list): no caller flags, expected_by names the rule",
          bool(host_calls) and all(not ({"container-originated", "unexpected-caller", "namespaced"} & set(flags(e)))
                                   and get(e, "sockwarden.expected_by") == f"exe:{a.host_cli}" for e in host_calls),
          f"{[(flags(e), get(e, 'sockwarden.expected_by')) for e in host_calls[:2]]}")
    check("(e) host CLI: executable and ancestors resolved",
          bool(host_calls) and all(get(e, "process.executable") == a.host_cli
                                   and len(get(e, "sockwarden.process.ancestors") or []) >= 1 for e in host_calls))

    # (f) a containerd container (ctr run, cgroup /swtest/<id>): the containerd layout for real
    ctrd = [e for e in events if in_ctrd(e) and action(e) in ("connect", "send")]
    check("(f) containerd container: connect and send on the daemon socket", 
          any(action(e) == "connect" for e in ctrd) and any(action(e) == "send" for e in ctrd), f"{len(ctrd)} events")
    check("(f) containerd container: container.runtime 'containerd' and its id",
          bool(ctrd) and all(get(e, "container.runtime") == "containerd" and get(e, "container.id") == a.containerd_id
                             for e in ctrd),
          f"{sorted({(str(get(e, 'container.runtime')), str(get(e, 'container.id'))[:12]) for e in ctrd})}")
    check("(f) containerd container: name from its bundle (short id: ctr sets no name annotation)",
          bool(ctrd) and all(get(e, "container.name") == a.containerd_id[:12] for e in ctrd),
          f"{sorted({str(get(e, 'container.name')) for e in ctrd})}")
    check("(f) containerd container: flagged container-originated and unexpected-caller",
          bool(ctrd) and all("container-originated" in flags(e) and "unexpected-caller" in flags(e) for e in ctrd))

    # (g) decoded requests: the seed scenario is one request event for the container's create
    reqs = [e for e in events if action(e) == "request"]
    check("(g) the agent emitted decoded request events", bool(reqs), f"{len(reqs)} request events")
    ctr_creates = [e for e in reqs if in_container(e) and get(e, "sockwarden.request.operation") == "container-create"]
    check("(g) exactly one request event for the container's containers/create", len(ctr_creates) == 1,
          f"{len(ctr_creates)}: " + "; ".join(f"{get(e, 'url.original')} {get(e, 'sockwarden.request.risk_flags')}"
                                               for e in ctr_creates[:3]))
    if ctr_creates:
        c = ctr_creates[0]
        rq = get(c, "sockwarden.request") or {}
        check("(g) create: POST /vX.Y/containers/create with the API version split out",
              get(c, "http.request.method") == "POST" and get(c, "url.path") == "/containers/create"
              and (get(c, "url.original") or "").startswith("/v" + str(rq.get("api_version", "?")) + "/containers/create")
              and bool(rq.get("api_version")),
              f"{get(c, 'http.request.method')} {get(c, 'url.original')} api {rq.get('api_version')}")
        check("(g) create: risk flags privileged and host-mount '/'",
              "privileged" in (rq.get("risk_flags") or []) and "/" in (rq.get("host_mounts") or []),
              f"flags {rq.get('risk_flags')} mounts {rq.get('host_mounts')}")
        check("(g) create: caller container 'attacker', container-originated",
              get(c, "container.name") == "attacker" and "container-originated" in flags(c),
              f"{get(c, 'container.name')} {flags(c)}")
        check("(g) create: top severity (critical, event.severity 99)",
              rq.get("severity") == "critical" and get(c, "event.severity") == 99,
              f"{rq.get('severity')} {get(c, 'event.severity')}")
        check("(g) create: user agent, body length, env names without values",
              (get(c, "user_agent.original") or "").startswith("Docker-Client/")
              and get(c, "http.request.body.bytes") == rq.get("content_length")
              and "API_TOKEN" in ((rq.get("summary") or {}).get("env") or []),
              f"ua {get(c, 'user_agent.original')} body {get(c, 'http.request.body.bytes')} "
              f"env {(rq.get('summary') or {}).get('env')}")
        if a.tier == "socket-tp":
            check("(g) create: http.response.status_code 201 from the daemon's reply",
                  get(c, "http.response.status_code") == 201 and get(c, "event.outcome") == "success",
                  f"{get(c, 'http.response.status_code')} {get(c, 'event.outcome')}")
    # The value is also on the in-container CLI's command line (process.args reports it as is) and
    # inside the host's create of 'attacker' (its Cmd): only what the agent decoded or captured
    # from the container's own create is checked here.
    leaks = [e for e in ctr if "hunter2-e2e" in json.dumps(get(e, "sockwarden.request") or {})
             or "hunter2-e2e" in payload(e)]
    check("(g) the env secret never reaches payloads or decoded requests", not leaks, f"{len(leaks)} events")
    host_reqs = [e for e in reqs if get(e, "process.executable") == a.host_cli]
    host_create = [e for e in host_reqs if get(e, "sockwarden.request.operation") == "container-create"]
    check("(g) host CLI requests decoded (GET /containers/json); its create of 'attacker' is flagged "
          "runtime-socket-mount, high (host-originated), nothing critical",
          any(get(e, "url.path") == "/containers/json" for e in host_reqs)
          and len(host_create) == 1
          and "runtime-socket-mount" in (get(host_create[0], "sockwarden.request.risk_flags") or [])
          and get(host_create[0], "sockwarden.request.severity") == "high"
          and all(get(e, "sockwarden.request.severity") != "critical" for e in host_reqs),
          f"{sorted({(get(e, 'url.path'), get(e, 'sockwarden.request.severity')) for e in host_reqs})}")
    # A capture gap is the payload cap, not a disagreement with the daemon: ctr's image import
    # streams layers through Content/Write in writes far past the cap, and the calls after such a
    # write are decoded again (docs/request-decoding.md), marked decoded-after-capture-gap.
    capture_only = {"capture-gap", "decoded-after-capture-gap"}
    unparsed = [e for e in reqs if get(e, "sockwarden.request.unparsed_body")
                or set(get(e, "sockwarden.request.anomalies") or []) - capture_only]
    check("(g) no request of the real CLI is unparsed or anomalous", not unparsed,
          "; ".join(f"{get(e, 'url.original')} {get(e, 'sockwarden.request.anomalies')}" for e in unparsed[:3]))

    # (h) gRPC to containerd, decoded for real: ctr's calls (HTTP/2 + HPACK + protobuf + OCI spec JSON)
    grpc = [e for e in reqs if on_ctrd_sock(e) and get(e, "process.name") == "ctr"]
    methods = sorted({get(e, "url.path") for e in grpc})
    check("(h) ctr's gRPC calls on containerd.sock decoded with the swtest namespace",
          bool(grpc) and all(get(e, "sockwarden.request.grpc.containerd_namespace") == "swtest"
                             for e in grpc if "Version" not in (get(e, "url.path") or "")),
          f"{len(grpc)} calls: {methods[:8]}")
    ccreate = [e for e in grpc if get(e, "url.path") == "/containerd.services.containers.v1.Containers/Create"]
    check("(h) Containers/Create: the container id, its OCI spec's bind mount of docker.sock "
          "(runtime-socket-mount), http.version 2",
          len(ccreate) == 1 and get(ccreate[0], "sockwarden.request.summary.container") == a.containerd_id
          and "runtime-socket-mount" in (get(ccreate[0], "sockwarden.request.risk_flags") or [])
          and get(ccreate[0], "http.version") == "2"
          and not get(ccreate[0], "sockwarden.request.unparsed_body"),
          "; ".join(f"{get(e, 'sockwarden.request.summary.container')} {get(e, 'sockwarden.request.risk_flags')} "
                    f"trunc={get(e, 'sockwarden.request.truncated')} unparsed={get(e, 'sockwarden.request.unparsed_body')} "
                    f"anom={get(e, 'sockwarden.request.anomalies')}" for e in ccreate[:2]))
    check("(h) Tasks/Create decoded", any(get(e, "url.path") == "/containerd.services.tasks.v1.Tasks/Create" for e in grpc),
          f"{methods}")

    # (c) replies (socket-tp only): the daemon's status line on the request's connection
    replies = [e for e in events if action(e) == "reply"]
    if a.tier == "socket-tp":
        req_conns = {get(e, "sockwarden.connection") for e in events if action(e) == "send"}
        matched = [e for e in replies if payload(e).startswith("HTTP/1.1 ")
                   and get(e, "sockwarden.connection") in req_conns]
        check("(c) reply with 'HTTP/1.1 ' status line on a request's connection", bool(matched),
              f"{len(replies)} replies, {len(matched)} matched")
        created = [e for e in replies if get(e, "sockwarden.connection") in create_conns
                   and payload(e).startswith("HTTP/1.1 201 ")]
        check("(c) the container's create got 'HTTP/1.1 201' on the same connection", bool(created))
    else:
        print(f"INFO: (c) replies not checked for tier {a.tier} ({len(replies)} reply events)")

    # Every connect in this scenario succeeds: a failed one, or one without its connection,
    # is a wrong report (seen when accept() on another CPU races the listener hook).
    connects = [e for e in events if action(e) == "connect"]
    wrong = [e for e in connects if get(e, "event.outcome") != "success" or not get(e, "sockwarden.connection")]
    check("every connect is reported as a success with its connection", bool(connects) and not wrong,
          "; ".join(f"pid={get(e, 'process.pid')} outcome={get(e, 'event.outcome')} "
                    f"error={get(e, 'sockwarden.error')} conn={get(e, 'sockwarden.connection')} "
                    f"flags={get(e, 'sockwarden.flags')}" for e in wrong[:3]))

    # (d) nothing lost
    lost = [e for e in events if action(e) == "lost"]
    check("(d) zero 'lost' events", not lost,
          "; ".join(f"{get(e, 'sockwarden.lost.count')} x {get(e, 'sockwarden.lost.cause')}" for e in lost))

    if check.failed:
        print(f"--- {len(events)} events (action outcome pid name cgroup inode conn bytes flags payload):")
        for e in events:
            print("  ", action(e), get(e, "event.outcome"), get(e, "process.pid"), get(e, "process.name"),
                  cgroup(e)[:20], get(e, "sockwarden.socket.inode"), get(e, "sockwarden.connection"),
                  get(e, "sockwarden.bytes"), get(e, "sockwarden.flags"), payload(e)[:70],
                  get(e, "sockwarden.lost") or "")
        print(f"FAILED {len(check.failures)} check(s): " + "; ".join(check.failures))
        return 1
    print("ALL CHECKS PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
