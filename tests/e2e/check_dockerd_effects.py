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
ap.add_argument("--plugins", help="plugins.json of test_dockerd_effects.sh: the plugin CLI cases")
a = ap.parse_args()

client = json.load(open(a.client))
events = [json.loads(l) for l in open(a.events) if l.strip()]
mine = [e for e in events if get(e, "event.action") == "request" and get(e, "process.pid") == client["pid"]]
check = Checks()
check("requests of the client's pid", len(mine) >= 6, f"{len(mine)} request events of pid {client['pid']}")
HIGH = ("high", "critical")
# podman: runc's spec once started, else the spec podman stored at the create (its database).
SOURCES = ("docker-state",) if a.runtime == "docker" else ("podman-spec", "podman-db")
SOURCE = " or ".join(SOURCES)


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
          eff.get("source") in SOURCES, json.dumps(eff)[:300])
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



def check_hidden_create(label, e, answered_id, sources, source_name):
    """A create whose privileged fields the body hid (unread): its event carries the effect from
    one of `sources`, the container the daemon answered, privileged with / mounted, and the
    flags and severity that follow."""
    if not check(f"{label}: request event of the client", e is not None):
        return
    req = e["sockwarden"]["request"]
    eff = req.get("effect") or {}
    flags = req.get("risk_flags", [])
    check(f"{label}: effect verified from {source_name}", eff.get("status") == "verified" and
          eff.get("source") in sources, json.dumps(eff)[:300])
    check(f"{label}: the container podman answered", eff.get("container_id") == answered_id,
          f"{eff.get('container_id')} vs {answered_id}")
    check(f"{label}: effect privileged, host mount /", eff.get("privileged") is True and
          "/" in eff.get("host_mounts", []), json.dumps(eff)[:300])
    check(f"{label}: body unread, flags privileged + host-mount + effect-mismatch, severity high",
          req.get("unparsed_body") is True and {"privileged", "host-mount", "effect-mismatch"} <= set(flags) and
          req.get("severity") in HIGH, f"{flags} {req.get('severity')} unparsed={req.get('unparsed_body')}")


check_exec("", False)

if a.runtime == "podman":
    # podman's own libpod API: a SpecGenerator create (privileged, a bind mount of /) behind
    # 16 KiB of whitespace in one write, started; and an exec hidden the same way.
    answered = client["cases"]["libpod_create"]
    check("libpod create: podman created and started it", answered["status"] == 201 and answered.get("start") == 204,
          str(answered))
    check_hidden_create("libpod create", one("container-create", libpod), answered["id"], SOURCES, SOURCE)
    check_exec("libpod_", True)

    # A create never started: its spec is only in podman's database (bolt_state.db).
    answered = client["cases"]["created_only"]
    check("created only: podman created it", answered["status"] == 201 and answered["id"], str(answered))
    check_hidden_create("created only",
                        one("container-create", lambda e: not libpod(e) and "name=eff-created" in (get(e, "url.query") or "")),
                        answered["id"], ("podman-db",), "podman's database (podman-db)")


def check_plugins(path):
    """Each plugin request of the docker CLI (one process per case) carries the effect read from
    dockerd's plugin store: the plugin it made or changed, its privileges, the flags, severity."""
    plugins = json.load(open(path))
    ids = plugins["ids"]

    def request_of(case, plugin, privileged, mounts):
        c = plugins["cases"][case]
        evs = [e for e in events if get(e, "event.action") == "request" and get(e, "process.pid") == c["pid"] and
               get(e, "sockwarden.request.operation") == "plugin-install"]
        check(f"plugin {case}: the CLI succeeded and its request event is there (pid {c['pid']})",
              c["rc"] == 0 and len(evs) == 1, f"rc {c['rc']}, {len(evs)} events")
        if not evs:
            return None
        req = evs[0]["sockwarden"]["request"]
        eff = req.get("effect") or {}
        flags = req.get("risk_flags", [])
        check(f"plugin {case}: effect verified from docker-plugin-store", eff.get("status") == "verified" and
              eff.get("source") == "docker-plugin-store", json.dumps(eff)[:300])
        check(f"plugin {case}: the plugin dockerd stored", get(eff, "plugin.id") == ids[plugin] and
              get(eff, "plugin.name") == plugin + ":latest" and get(eff, "plugin.enabled") is False,
              json.dumps(eff.get("plugin")))
        check(f"plugin {case}: privileged {privileged}, host mounts {mounts}",
              eff.get("privileged") is privileged and sorted(eff.get("host_mounts", [])) == sorted(mounts) and
              ("privileged" in flags) == privileged and ("privileged" in eff.get("risk_flags", [])) == privileged,
              f"{json.dumps(eff)[:300]} flags {flags}")
        check(f"plugin {case}: host-mount flag iff a host mount", ("host-mount" in flags) == bool(mounts), str(flags))
        check(f"plugin {case}: plugin-install kept, no effect-mismatch (the body said it, or nothing decodes it)",
              "plugin-install" in flags and "effect-mismatch" not in flags and eff.get("mismatch") == [], str(flags))
        # plugin-install alone is high (docs/request-decoding.md); a host caller adds no step.
        check(f"plugin {case}: severity high", req.get("severity") == "high" and evs[0]["event"]["severity"] == 73,
              req.get("severity"))
        return req

    req = request_of("create_priv", "sw-plug-priv", True, ["/"])
    if req:
        eff = req["effect"]
        check("plugin create_priv: CAP_SYS_ADMIN, host network", eff.get("capabilities") == ["SYS_ADMIN"] and
              get(eff, "namespaces.network") == "host" and "host-network" in req["risk_flags"], json.dumps(eff)[:300])
        check("plugin create_priv: the body is a tar nothing decodes", req.get("unparsed_body") is True)
    req = request_of("create_plain", "sw-plug-plain", False, [])
    if req:
        check("plugin create_plain: no privilege at all (no false alarm)",
              req["effect"].get("capabilities") == [] and req["effect"].get("risk_flags") == ["plugin-install"],
              json.dumps(req["effect"])[:300])
    # The set happened after the settable plugin was created with /tmp: the effect is / now.
    request_of("create_set", "sw-plug-set", False, ["/tmp"])
    req = request_of("set", "sw-plug-set", False, ["/"])
    if req:
        check("plugin set: the settings reported (env values left out)",
              get(req, "summary.settings") == ["data.source=/", "DEBUG"] and get(req, "summary.plugin") == "sw-plug-set",
              json.dumps(req.get("summary")))
    # A pull from the private registry that accepted the privileges it needs: verified, privileged,
    # and what the body accepted is what the store holds (no mismatch).
    if "pull" in plugins["cases"]:
        req = request_of("pull", "sw-plug-pulled", True, ["/"])
        if req:
            accepted = get(req, "summary.privileges") or []
            check("plugin pull: the accepted privileges were read from the body",
                  any("CAP_SYS_ADMIN" in p for p in accepted) and any("host" in p for p in accepted),
                  json.dumps(req.get("summary"))[:300])
            check("plugin pull: CAP_SYS_ADMIN, host network, from the registry's plugin",
                  req["effect"].get("capabilities") == ["SYS_ADMIN"] and
                  get(req["effect"], "namespaces.network") == "host", json.dumps(req["effect"])[:300])


if a.plugins:
    check_plugins(a.plugins)

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
