#!/usr/bin/env python3
"""Assertions for test_dockerd_audit.sh over `sockwarden audit --json` and the text report.

Prints one PASS/FAIL line per check; exit 0 all passed, 1 a check failed.
"""
import argparse
import json
import sys

from e2e_checks import Checks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--json-rc", type=int, required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--text-rc", type=int, required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--inode", type=int, required=True)
    ap.add_argument("--a", required=True, help="container with the socket mounted elsewhere")
    ap.add_argument("--b", required=True, help="privileged container with / mounted")
    ap.add_argument("--c", required=True, help="unrelated container")
    ap.add_argument("--client-pid", type=int, required=True)
    a = ap.parse_args()

    check = Checks()

    try:
        with open(a.json, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as ex:
        print(f"FAIL: --json output is one JSON document ({ex})")
        return 1
    with open(a.text, encoding="utf-8", errors="replace") as f:
        text = f.read()

    findings = doc.get("findings", [])

    def of(name):
        return [f for f in findings if (f.get("container") or {}).get("name") == name]

    def brief(fs):
        return [(f["check"], f["severity"]) for f in fs]

    check("exit code 2 (critical) with --json", a.json_rc == 2, f"rc {a.json_rc}")
    check("exit code 2 for the text report", a.text_rc == 2, f"rc {a.text_rc}")
    check("audit.exit_code in the JSON is 2", doc.get("audit", {}).get("exit_code") == 2)

    socks = [s for s in doc.get("sockets", []) if s.get("path") == a.socket]
    check("the daemon socket is inventoried with its inode",
          len(socks) == 1 and socks[0].get("inode") == a.inode, json.dumps(socks)[:300])
    check("the socket's listener is dockerd",
          bool(socks) and any(l.get("name") == "dockerd" for l in socks[0].get("listeners", [])))

    fa = of(a.a)
    mounted = [f for f in fa if f["check"] == "socket-mounted" and f["severity"] == "critical"]
    check(f"A ({a.a}) reported socket-mounted / critical", bool(mounted), str(brief(fa)))
    check("A's finding names the path inside the container (/var/run/other.sock)",
          any("/var/run/other.sock" in f["title"] for f in mounted), mounted[0]["title"] if mounted else "")
    live = [m for m in doc.get("mounts", [])
            if (m.get("container") or {}).get("name") == a.a and m.get("inode") == a.inode]
    check("A found live in its mount namespace by inode at /var/run/other.sock",
          any(m.get("path_inside") == "/var/run/other.sock" and m.get("socket_itself") for m in live),
          json.dumps(live)[:300])
    check("A's container carries its image", any(c.get("name") == a.a and c.get("image") == "local/busybox:1"
                                                for c in doc.get("containers", [])))

    fb = of(a.b)
    check(f"B ({a.b}) reported privileged-host-root / critical",
          any(f["check"] == "privileged-host-root" and f["severity"] == "critical" for f in fb), str(brief(fb)))

    conns = doc.get("connections", [])
    pids = {p.get("pid") for c in conns if c.get("socket") == a.socket for p in c.get("processes", [])}
    check("the host client's connection is listed with its pid", a.client_pid in pids, f"pids {sorted(pids)}")
    client = [p for c in conns for p in c.get("processes", []) if p.get("pid") == a.client_pid]
    check("the client is a host process (no container)", bool(client) and client[0].get("container") is None)

    fc = of(a.c)
    check(f"C ({a.c}) is in no finding", not fc, str(brief(fc)))
    check("C is in no mount-reach entry",
          not any((m.get("container") or {}).get("name") == a.c for m in doc.get("mounts", [])))
    check("every finding has severity, evidence and remediation",
          all(f.get("severity") and f.get("evidence") and f.get("remediation") for f in findings
              if f["severity"] in ("critical", "high", "medium")))

    findings_text = text.split("== Runtime sockets ==")[0]
    check("text: A and B named in the findings section", a.a in findings_text and a.b in findings_text)
    check("text: C not in the findings section", a.c not in findings_text)
    check("text: the client's pid is listed", f"pid {a.client_pid} " in text)
    check("text: result line says exit 2", "-> exit 2" in text)

    if check.failed:
        print(f"{len(check.failures)} check(s) failed; findings: {json.dumps(brief(findings))}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
