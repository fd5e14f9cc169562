#!/usr/bin/env python3
"""`sockwarden doctor --json` on this machine, for real (root, real BPF trial loads).

usage: test_doctor_json.py SOCKWARDEN_BINARY

1. As root: the output is one JSON object and nothing else on stdout, it
   validates against schema/sockwarden-doctor.schema.json, the exit code
   equals exit_code and agrees with selected_tier, and every tier doctor says
   loads (or not) is confirmed independently by `trace --tier NAME` loading
   it (or exiting 4); `trace --tier auto` picks selected_tier. The text mode
   agrees on every tier, the selected tier and the exit code.
2. Forced failures, each real (no mock), each checked in both modes:
   - an unprivileged user (setpriv): exit 3, no tier tried, each with a reason;
   - no BTF (a private mount namespace with /sys/kernel/btf hidden): exit 4;
   - no cgroup v2 (a private mount namespace without the cgroup2 mount):
     socket-tp does not load, with a cgroup reason, and the next tier that
     loads is selected.
Needs root, util-linux (setpriv, unshare) and python3-jsonschema.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "schema", "sockwarden-doctor.schema.json")
TIER_ORDER = ["lsm", "fentry", "socket-tp", "syscall-tp"]

failures = []


def check(what, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not detail else f"\n      {detail}"))
    if not ok:
        failures.append(what)


def run(argv, timeout=120):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def validator():
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


VALIDATOR = validator()


def doctor_json(prefix, binary, label, extra=()):
    """Runs doctor --json (under PREFIX, e.g. setpriv); checks stdout is exactly one valid object."""
    p = run(prefix + [binary, "doctor", "--json", *extra])
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    check(f"{label}: stdout is exactly one line", len(lines) == 1, repr(p.stdout[:400]) + " stderr: " + p.stderr[-400:])
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        check(f"{label}: stdout parses as JSON", False, f"{e}: {p.stdout[:400]!r}")
        return p.returncode, None
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    check(f"{label}: validates against {os.path.basename(SCHEMA)}", not errors,
          "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
    check(f"{label}: exit code {p.returncode} == exit_code {doc.get('exit_code')}", p.returncode == doc.get("exit_code"))
    return p.returncode, doc


def doctor_text(prefix, binary):
    p = run(prefix + [binary, "doctor"])
    loads = dict(re.findall(r"^  (\S+): (LOADS|no) ", p.stdout, re.M))
    m = re.search(r"^selected tier: (\S+)$", p.stdout, re.M)
    return p.returncode, loads, (m.group(1) if m else None), p.stdout


def agree(label, prefix, binary, doc, rc):
    """The text mode reports the same tiers, selected tier and exit code."""
    trc, loads, selected, out = doctor_text(prefix, binary)
    check(f"{label}: text exit code {trc} == JSON exit code {rc}", trc == rc, out[-600:])
    want_sel = doc["selected_tier"] if doc["selected_tier"] is not None else "NONE"
    check(f"{label}: text selected tier '{selected}' == JSON '{want_sel}'", selected == want_sel, out[-600:])
    json_loads = {t["name"]: ("LOADS" if t["loads"] else "no") for t in doc["tiers"] if t["tried"]}
    check(f"{label}: text tier lines == JSON tiers ({json_loads})", loads == json_loads, out[-600:])


def consistent(label, doc, rc):
    names = [t["name"] for t in doc["tiers"]]
    check(f"{label}: every tier listed, best first", names == TIER_ORDER, str(names))
    first = next((t["name"] for t in doc["tiers"] if t["loads"]), None)
    check(f"{label}: selected_tier is the first tier that loads ({first})", doc["selected_tier"] == first)
    check(f"{label}: exit code {rc} agrees with selected_tier {doc['selected_tier']}",
          (rc == 0) == (doc["selected_tier"] is not None))
    for t in doc["tiers"]:
        if not t["loads"]:
            check(f"{label}: {t['name']} does not load and says why ({t['reasons'][:1]})",
                  bool(t["reasons"]) and all(r.strip() for r in t["reasons"]))


FEATURES = ["btf", "ringbuf", "task_storage", "bpf_loop", "socket_tracepoints", "cgroup_connect_unix"]


def builds_agree(label, doc, forced=None):
    """The kernel features, the BPF build they select and each loaded tier's build agree."""
    feats = {f["name"]: f for f in doc["kernel_features"]}
    check(f"{label}: kernel_features lists {FEATURES}", [f["name"] for f in doc["kernel_features"]] == FEATURES,
          str(list(feats)))
    if list(feats) != FEATURES:
        return
    check(f"{label}: below_floor == a floor feature (BTF, ring buffer) missing",
          doc["below_floor"] == any(f["floor"] and not f["present"] for f in doc["kernel_features"]))
    check(f"{label}: BTF feature == btf.present", feats["btf"]["present"] == doc["btf"]["present"])
    build = doc["bpf_build"]
    want = forced or ("current" if feats["task_storage"]["present"] and feats["bpf_loop"]["present"] else "5.10")
    check(f"{label}: bpf_build {build and build['name']} (want {want}: task storage and bpf_loop, or forced)",
          build is not None and build["name"] == want and
          build["forced_by"] == (f"SOCKWARDEN_BPF_VARIANT={forced}" if forced else None), json.dumps(build))
    for t in doc["tiers"]:
        if not t["loads"]:
            continue
        # socket-tp has no 5.10 build: its hooks exist only where the current build loads.
        tier_want = "current" if t["name"] == "socket-tp" else want
        unseen = t["name"] in ("lsm", "fentry") and (not feats["cgroup_connect_unix"]["present"] or want == "5.10")
        check(f"{label}: {t['name']}: refused connects UNSEEN exactly without cgroup/connect_unix in lsm/fentry "
              f"({t['refused_connects']}); io_uring blind exactly in syscall-tp ({t['io_uring']})",
              t["refused_connects"].startswith("UNSEEN") == unseen and
              t["io_uring"].startswith("blind") == (t["name"] == "syscall-tp") and bool(t["payload_source"]))
        check(f"{label}: {t['name']} loaded the {tier_want} build ({t['variant']}), weaker list "
              f"{'empty' if tier_want == 'current' else 'named'}",
              t["variant"] == tier_want and (not t["weaker"]) == (tier_want == "current"), json.dumps(t["weaker"]))


def cgroup2_mount_point():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if " - cgroup2 " in line:
                return fields[4]
    return None


def main():
    binary = sys.argv[1]
    if os.geteuid() != 0:
        print("FAIL: needs root (real BPF trial loads)")
        return 1

    # 1. As root, with one --socket of each kind: a path socket, an abstract name that
    # listens, one that does not, and a path that is not there.
    tmp = tempfile.mkdtemp(prefix="sw-doctor-")
    path_sock = socket.socket(socket.AF_UNIX)
    path_sock.bind(f"{tmp}/extra.sock")
    path_sock.listen(1)
    abstract = f"sw-doctor-{os.getpid()} name"
    abs_sock = socket.socket(socket.AF_UNIX)
    abs_sock.bind("\0" + abstract)
    abs_sock.listen(1)
    try:
        rc, doc = doctor_json([], binary, "root", ["--socket", f"{tmp}/extra.sock", "--socket", "@" + abstract,
                                                   "--socket", f"@{abstract}-absent", "--socket", f"{tmp}/absent.sock"])
        st = os.stat(f"{tmp}/extra.sock")
    finally:
        path_sock.close()
        abs_sock.close()
        shutil.rmtree(tmp, ignore_errors=True)
    if doc is None:
        return 1
    opt = [s for s in doc["sockets"] if s["source"] == "option"]
    want = [
        {"spec": f"{tmp}/extra.sock", "source": "option", "kind": "path",
         "paths": [{"path": f"{tmp}/extra.sock", "exists": True, "is_socket": True, "inode": st.st_ino,
                    "device": f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}"}]},
        {"spec": "@" + abstract, "source": "option", "kind": "abstract",
         "paths": [{"path": "@" + abstract, "exists": True, "is_socket": True}]},
        {"spec": f"@{abstract}-absent", "source": "option", "kind": "abstract",
         "paths": [{"path": f"@{abstract}-absent", "exists": False, "is_socket": False}]},
        {"spec": f"{tmp}/absent.sock", "source": "option", "kind": "path",
         "paths": [{"path": f"{tmp}/absent.sock", "exists": False, "is_socket": False}]},
    ]
    check("root: each --socket reported after the defaults with its identity", opt == want,
          json.dumps(opt)[:600])
    check("root: the default socket list comes first, 7 specs",
          [s["source"] for s in doc["sockets"]][:7] == ["default"] * 7 and len(doc["sockets"]) == 11)
    consistent("root", doc, rc)
    check("root: privileges ok, euid 0, CAP_BPF or CAP_SYS_ADMIN effective",
          doc["privileges"]["ok"] and doc["privileges"]["euid"] == 0 and
          (doc["privileges"]["capabilities"]["CAP_BPF"] or doc["privileges"]["capabilities"]["CAP_SYS_ADMIN"]))
    check("root: BTF present at /sys/kernel/btf/vmlinux",
          doc["btf"]["present"] == os.access("/sys/kernel/btf/vmlinux", os.R_OK) and
          doc["btf"]["path"] == "/sys/kernel/btf/vmlinux")
    check(f"root: cgroup v2 path {doc['cgroup_v2']['path']} == mountinfo's {cgroup2_mount_point()}",
          doc["cgroup_v2"]["path"] == cgroup2_mount_point())
    check("root: kernel release == uname -r", doc["kernel"]["release"] == os.uname().release)
    check("root: every tier was trial-loaded", all(t["tried"] for t in doc["tiers"]))
    builds_agree("root", doc)
    # Each tier's verdict confirmed by actually running with it.
    for t in doc["tiers"]:
        p = run([binary, "trace", "--tier", t["name"], "--duration", "0.3", "--no-default-sockets",
                 "--socket", "/nonexistent/sw-doctor-test.sock"])
        want = 0 if t["loads"] else 4
        check(f"root: doctor says {t['name']} loads={t['loads']}; trace --tier {t['name']} exits {p.returncode} "
              f"(want {want})", p.returncode == want, p.stderr[-500:])
    p = run([binary, "trace", "--duration", "0.3", "--no-default-sockets", "--socket", "/nonexistent/sw-doctor-test.sock"])
    m = re.search(r"capturing with tier (\S+)", p.stderr)
    check(f"root: trace --tier auto captures with selected_tier ({m.group(1) if m else None})",
          m is not None and m.group(1) == doc["selected_tier"], p.stderr[-500:])
    agree("root", [], binary, doc, rc)

    # 2a. Unprivileged user: the privilege check fails before any load.
    nobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
    rc, doc = doctor_json(nobody, binary, "uid 65534")
    if doc:
        check(f"uid 65534: exit 3 (not root / missing capabilities), got {rc}", rc == 3)
        check("uid 65534: privileges.ok false with the missing capabilities named",
              not doc["privileges"]["ok"] and "CAP_BPF" in (doc["privileges"]["error"] or ""))
        check("uid 65534: no tier loads, none tried, each with a reason",
              all(not t["loads"] and not t["tried"] and t["reasons"] for t in doc["tiers"]))
        check("uid 65534: selected_tier null", doc["selected_tier"] is None)
        agree("uid 65534", nobody, binary, doc, rc)

    # 2b. No BTF: /sys/kernel/btf hidden under an empty tmpfs in a private mount namespace.
    nobtf = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             'mount -t tmpfs -o size=64k sw-no-btf /sys/kernel/btf && exec "$@"', "sh"]
    rc, doc = doctor_json(nobtf, binary, "no BTF")
    if doc:
        check(f"no BTF: exit 4 (kernel unsupported), got {rc}", rc == 4)
        check("no BTF: btf.present false with an error, privileges ok",
              not doc["btf"]["present"] and "BTF" in (doc["btf"]["error"] or "") and doc["privileges"]["ok"])
        check("no BTF: selected_tier null, every tier with a reason",
              doc["selected_tier"] is None and all(t["reasons"] for t in doc["tiers"]))
        check("no BTF: below_floor true, the btf feature missing",
              doc["below_floor"] is True and
              any(f["name"] == "btf" and not f["present"] for f in doc["kernel_features"]))
        text = run(nobtf + [binary, "doctor"]).stdout
        check("no BTF: the text says the floor is not met and names the missing BTF",
              re.search(r"^kernel floor:  NOT MET", text, re.M) is not None and
              re.search(r"^  NO   kernel BTF", text, re.M) is not None, text[:800])
        agree("no BTF", nobtf, binary, doc, rc)

    # 2c. No cgroup v2 mount: socket-tp cannot attach cgroup/connect_unix; a
    # real trial load of every tier, with the kernel's/libbpf's reasons.
    cg = cgroup2_mount_point()
    check("this machine has a cgroup v2 mount (needed for the no-cgroup case)", cg is not None)
    if cg:
        nocg = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                f'umount -l {cg} && exec "$@"', "sh"]
        rc, doc = doctor_json(nocg, binary, "no cgroup v2")
        if doc:
            consistent("no cgroup v2", doc, rc)
            check("no cgroup v2: cgroup_v2.mounted false", doc["cgroup_v2"] == {"mounted": False, "path": None})
            st = next(t for t in doc["tiers"] if t["name"] == "socket-tp")
            check(f"no cgroup v2: socket-tp does not load, the reason names cgroup ({st['reasons']})",
                  not st["loads"] and st["tried"] and any("cgroup" in r for r in st["reasons"]))
            agree("no cgroup v2", nocg, binary, doc, rc)

    # 2d. The 5.10 build forced on this kernel (what the 5.10 vmtest boots load by probing):
    # every tier but socket-tp loads it, names what is weaker, and really captures with it.
    forced = ["env", "SOCKWARDEN_BPF_VARIANT=5.10"]
    rc, doc = doctor_json(forced, binary, "5.10 build")
    if doc:
        consistent("5.10 build", doc, rc)
        builds_agree("5.10 build", doc, forced="5.10")
        sys_tp = next(t for t in doc["tiers"] if t["name"] == "syscall-tp")
        check("5.10 build: syscall-tp loads its 5.10 build here", sys_tp["loads"] and sys_tp["variant"] == "5.10",
              json.dumps(sys_tp)[:400])
        p = run(forced + [binary, "trace", "--tier", "syscall-tp", "--duration", "0.3", "--no-default-sockets",
                          "--socket", "/nonexistent/sw-doctor-test.sock"])
        check(f"5.10 build: trace --tier syscall-tp captures with it (exit {p.returncode})", p.returncode == 0,
              p.stderr[-500:])
        agree("5.10 build", forced, binary, doc, rc)

    print(f"{len(failures)} failure(s)" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
