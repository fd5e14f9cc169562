#!/usr/bin/env python3
"""The final report of scripts/bench.sh: overhead ratios, throughput, footprint, the VM tiers,
and every target of issue 18 with PASS / MISS, per tier side by side (markdown tables).

usage: report.py RESULTS EXTRA N_WATCHED "TIERS"
  RESULTS  lines "TIER WORKLOAD wall|cpu RATIO", "TIER agentcpu NS", "TIER agentrel X",
           "TIER events DELIVERED LOST" (one per round)
  EXTRA    "tp TIER OFFERED ACHIEVED EXPECTED DELIVERED LOST AGENT_CPU_MS RSS_KB HWM_KB STATUS",
           "fp TIER READY_MS FIRST_EVENT_MS IDLE_CPU_PCT RSS_KB HWM_KB [LAT_P50_US LAT_P99_US]",
           "vm TIER WORKLOAD METRIC MEDIAN MIN MAX ROUNDS"
"""
import os
import statistics
import sys

IDLE_PROCS = int(os.environ.get("FP_IDLE_PROCS", "1000"))  # footprint.sh's second idle window

res_file, extra_file, n_watched, tiers = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
ANCHORS = ("auditd", "bpftrace")  # what a responder would run instead; measured like a tier
WORKLOADS = ("write", "pingpong", "spawn", "watched")
NAMES = {"write": "1-byte write(2) to /dev/null (unrelated)",
         "pingpong": "unix socketpair ping-pong (unrelated)",
         "spawn": "fork + exec /bin/true + exit (unrelated)",
         "watched": "request/reply on the watched socket"}

d = {}
for line in open(res_file):
    f = line.split()
    if f[1] in WORKLOADS:
        d.setdefault((f[0], f[1], f[2]), []).append(float(f[3]))
    elif f[1] == "events":
        d.setdefault((f[0], "events", ""), []).append((int(f[2]), int(f[3])))
    else:
        d.setdefault((f[0], f[1], ""), []).append(float(f[2]))

tp, fp, vm = {}, {}, {}
for line in open(extra_file):
    f = line.split()
    if not f:
        continue
    if f[0] == "tp" and len(f) == 11:
        tp.setdefault(f[1], []).append(dict(offered=int(f[2]), achieved=int(f[3]), expected=int(f[4]),
                                            delivered=int(f[5]), lost=int(f[6]), cpu_ms=int(f[7]),
                                            rss=int(f[8]), hwm=int(f[9]), status=f[10]))
    elif f[0] == "fp" and len(f) in (7, 9, 10):
        fp[f[1]] = dict(ready_ms=int(f[2]), first_ms=int(f[3]), idle_pct=float(f[4]), rss=int(f[5]), hwm=int(f[6]),
                        lat_p50=int(f[7]) if len(f) >= 9 else None, lat_p99=int(f[8]) if len(f) >= 9 else None,
                        busy_pct=float(f[9]) if len(f) == 10 else None)
    elif f[0] == "vm" and len(f) == 8:
        vm[(f[1], f[2], f[3])] = (float(f[4]), float(f[5]), float(f[6]), int(f[7]))


def cell(v):
    return f"{statistics.median(v):.2f}x ({min(v):.2f}-{max(v):.2f})"


def med(t, w, metric="cpu"):
    v = d.get((t, w, metric))
    return statistics.median(v) if v else None


print("## Overhead ratios (host tiers and the auditd anchor, interleaved in one run)")
print()
print("| workload | " + " | ".join(f"{t} wall | {t} cpu" for t in tiers) + " |")
print("|" + "---|" * (1 + 2 * len(tiers)))
for w in WORKLOADS:
    cells = []
    for t in tiers:
        cells += [cell(d[(t, w, "wall")]) if (t, w, "wall") in d else "-",
                  cell(d[(t, w, "cpu")]) if (t, w, "cpu") in d else "-"]
    print(f"| {NAMES[w]} | " + " | ".join(cells) + " |")
print()
print("Median of the per-round ratios (attached / not attached), min-max in parentheses.")
print()
for t in tiers:
    if (t, "agentcpu", "") not in d:
        continue
    a = statistics.median(d[(t, "agentcpu", "")])
    rel = statistics.median(d[(t, "agentrel", "")])
    who = t if t in ANCHORS else "agent"
    print(f"- {t}: {who} CPU {a / 1e6 / (n_watched / 1000):.1f} ms per 1000 watched requests "
          f"(= {rel:.2f}x the client+server CPU of those requests without it, median)")
    if t in ANCHORS or (t, "events", "") not in d:
        continue
    ev = d[(t, "events", "")]
    # connect + send + the decoded request (+ the daemon's reply: not seen by syscall-tp)
    per_req = 3 if t == "syscall-tp" else 4
    # (plus the agent-start and agent-stop events of each run)
    expected = (n_watched * per_req + 2) * len(ev)
    got = sum(x[0] for x in ev)
    lost = sum(x[1] for x in ev)
    unacc = str(expected - got) if lost == 0 else "n/a (losses reported)"
    print(f"- {t}: events delivered {got} of {expected} expected over {len(ev)} rounds; "
          f"lost (reported) {lost}; missing without a loss record: {unacc}")

best = {}
if tp:
    print()
    print(f"## Event throughput (watched 64-byte sends -> JSON file, generator pinned to one CPU; "
          f"{os.environ.get('TP_BATCH', '16')} per sendmmsg(2), syscall-tp one write(2) each)")
    print()
    print("| tier | offered/s | achieved/s | delivered / expected | lost (loss records) | agent CPU per event | agent RSS / HWM | result |")
    print("|---|---|---|---|---|---|---|---|")
    for t, runs in tp.items():
        for r in runs:
            per_ev = f"{r['cpu_ms'] * 1000 / max(r['delivered'], 1):.1f} µs" if r["delivered"] else "-"
            offered = "unpaced" if r["offered"] == 0 else f"{r['offered']:,}"
            print(f"| {t} | {offered} | {r['achieved']:,} | {r['delivered']:,} / {r['expected']:,} | {r['lost']:,} | "
                  f"{per_ev} | {r['rss'] / 1024:.1f} / {r['hwm'] / 1024:.1f} MiB | {r['status']} |")
            if r["status"] == "ok":
                best[t] = max(best.get(t, 0), r["achieved"])
    print()
    print("`ok` = every write delivered as an event and no loss record; `loss` = the agent reported the drops "
          "(ring buffer or output queue full) in loss records; `missing` = events missing without a loss record; "
          "`crash` = the agent died.")

if fp:
    print()
    print("## Footprint")
    print()
    print(f"| tier | exec -> ready | exec -> first event | idle CPU | idle CPU, {IDLE_PROCS:,} more processes | idle RSS "
          "| RSS high-water mark | single event at idle -> output, p50 / p99 |")
    print("|---|---|---|---|---|---|---|---|")
    for t, r in fp.items():
        lat = f"{r['lat_p50'] / 1000:.1f} / {r['lat_p99'] / 1000:.1f} ms" if r["lat_p99"] is not None else "-"
        busy = f"{r['busy_pct']:.2f}%" if r["busy_pct"] is not None else "-"
        print(f"| {t} | {r['ready_ms']} ms | {r['first_ms']} ms | {r['idle_pct']:.2f}% | {busy} | "
              f"{r['rss'] / 1024:.1f} MiB | {r['hwm'] / 1024:.1f} MiB | {lat} |")

vm_tiers = sorted({k[0] for k in vm})
if vm:
    print()
    print("## lsm and fentry tiers inside QEMU (TCG): ratios only")
    print()
    print("| workload | " + " | ".join(f"{t} (VM) wall | {t} (VM) cpu" for t in vm_tiers) + " |")
    print("|" + "---|" * (1 + 2 * len(vm_tiers)))
    for w in ("write", "pingpong", "watched"):
        cells = []
        for t in vm_tiers:
            for m in ("wall", "cpu"):
                v = vm.get((t, w, m))
                cells.append(f"{v[0]:.2f}x ({v[1]:.2f}-{v[2]:.2f})" if v else "-")
        print(f"| {NAMES[w]} | " + " | ".join(cells) + " |")
    n = max(v[3] for v in vm.values())
    print()
    print(f"Median of {n} interleaved rounds per tier. TCG emulates every instruction, so absolute times are "
          "several times the host's and only the ratios mean anything.")

# --- the targets ---
cols = [t for t in tiers if t not in ANCHORS] + [f"{t} (VM)" for t in vm_tiers]


def ratio_of(col, w):
    if col.endswith(" (VM)"):
        v = vm.get((col[:-5], w, "cpu"))
        return v[0] if v else None
    return med(col, w)


def verdict(value, limit, fmt, lower_is_better=True):
    if value is None:
        return "-"
    ok = value <= limit if lower_is_better else value >= limit
    return f"{fmt(value)} {'PASS' if ok else 'MISS'}"


print()
print("## Targets (issue 18), per tier")
print()
print("| target | " + " | ".join(cols) + " | anchor: auditd, 1 connect rule | anchor: bpftrace one-liner |")
print("|" + "---|" * (3 + len(cols)))
NA = " | - | - |"
x = lambda v: f"{v:.3f}x"  # three places: a 1.013x must not read as the 1.01x it misses
# The ratio targets are issue 18's: on the host's socket-tp, plus syscall-tp's null write. The
# other tiers' ratios (syscall-tp's loops, the guests') are reported without a verdict.
RATIO_LIMITS = {("socket-tp", "write"): 1.01, ("syscall-tp", "write"): 1.50,
                ("socket-tp", "pingpong"): 1.03, ("socket-tp", "watched"): 1.10}


def ratio_cell(c, w):
    v = ratio_of(c, w)
    limit = RATIO_LIMITS.get((c, w))
    if v is None or limit is None:
        return "-" if v is None else f"{x(v)} (reported)"
    return verdict(v, limit, lambda v: f"{x(v)} (<= {limit:.2f}x)")


rows = [("unrelated syscalls: null-write loop, cpu ratio (socket-tp <= 1.01x; syscall-tp <= 1.50x)", "write"),
        ("unrelated unix socketpair ping-pong, cpu ratio (socket-tp <= 1.03x)", "pingpong"),
        ("watched request loop, cpu ratio (socket-tp <= 1.10x)", "watched")]
rows = [(title, [ratio_cell(c, w) for c in cols], w) for title, w in rows]
for title, cells, w in rows:
    anchors = [med(a, w) for a in ANCHORS]
    print(f"| {title} | " + " | ".join(cells) + " | " + " | ".join(x(a) if a else "-" for a in anchors) + " |")


def agent_ms_per_1000(c):
    v = d.get((c, "agentcpu", ""))
    return statistics.median(v) / 1e6 / (n_watched / 1000) if v else None


print("| agent CPU per 1000 watched requests, idle time included (<= 10 ms) | " +
      " | ".join(verdict(agent_ms_per_1000(c), 10, lambda v: f"{v:.1f} ms") for c in cols) + " | " +
      " | ".join(f"{agent_ms_per_1000(a):.1f} ms ({a})" if agent_ms_per_1000(a) else "-" for a in ANCHORS) + " |")
if tp:
    cells = [verdict(best.get(c, 0) if c in tp else None, 300000, lambda v: f"{v:,.0f}/s", False) for c in cols]
    print("| watched events/s end to end to a JSON file, zero loss (>= 300,000) | " + " | ".join(cells) + NA)

    def near_100k(c):  # the paced run closest to 100,000/s (TP_RATES may leave 100,000 out)
        runs = sorted((r for r in tp.get(c, []) if r["offered"] and r["delivered"]),
                      key=lambda r: abs(r["offered"] - 100000))
        return runs[0] if runs else None

    cells = []
    for c in cols:
        r = near_100k(c)
        cells.append(verdict(r["cpu_ms"] * 1000 / r["delivered"] if r else None, 2.0,
                             lambda v, r=r: f"{v:.1f} µs" + ("" if r["offered"] == 100000 else f" (at {r['offered']:,}/s)")))
    print("| agent CPU per event at 100,000 events/s (<= 2 µs) | " + " | ".join(cells) + NA)
if fp:
    cells = [verdict(fp[c]["idle_pct"] if c in fp else None, 0.5, lambda v: f"{v:.2f}%") for c in cols]
    print("| idle CPU (< 0.5%) | " + " | ".join(cells) + NA)
    cells = [verdict(fp[c]["busy_pct"] if c in fp and fp[c]["busy_pct"] is not None else None, 0.5,
                     lambda v: f"{v:.2f}%") for c in cols]
    print(f"| idle CPU with {IDLE_PROCS:,} more processes on the host (< 0.5%) | " + " | ".join(cells) + NA)
    cells = [verdict(fp[c]["rss"] / 1024 if c in fp else None, 30, lambda v: f"{v:.1f} MiB") for c in cols]
    print("| idle RSS (<= 30 MiB) | " + " | ".join(cells) + NA)
    hwm = {c: max([fp[c]["hwm"]] + [r["hwm"] for r in tp.get(c, [])]) / 1024 for c in fp}
    cells = [verdict(hwm.get(c), 40, lambda v: f"{v:.1f} MiB") for c in cols]
    print("| RSS high-water mark, idle and under every throughput run (< 40 MiB) | " + " | ".join(cells) + NA)
    cells = [verdict(fp[c]["first_ms"] if c in fp else None, 1000, lambda v: f"{v:.0f} ms") for c in cols]
    print("| exec -> first event (< 1 s) | " + " | ".join(cells) + NA)
    cells = [verdict(fp[c]["lat_p99"] / 1000 if c in fp and fp[c]["lat_p99"] is not None else None, 100,
                     lambda v: f"{v:.1f} ms") for c in cols]
    print("| single event at idle -> output, p99 (< 100 ms) | " + " | ".join(cells) + NA)
print()
print("Ratios are the median `cpu` ratio (CPU time of the workload's processes, where in-kernel hook "
      "costs are charged). `-` = not measured for that tier. A ratio marked (reported) has no target: "
      "the issue sets the ratio targets on the host's socket-tp (and syscall-tp's null write) and asks "
      "for the other tiers' and the guests' to be reported.")
