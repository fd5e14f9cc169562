#!/usr/bin/env bash
# ctest bench.smoke: scripts/bench.sh with tiny counts; passes when it exits 0 and its report
# has every section and a PASS/MISS verdict for every target row. See tests.cmake.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${1:?usage: smoke.sh BUILD_DIR}
report=$(mktemp /tmp/sw-bench-smoke.XXXXXX)
# bench.sh also keeps the raw numbers beside the report (.results, .extra)
trap 'rm -f "$report" "$report.results" "$report.extra"' EXIT
ROUNDS=1 N_WRITE=20000 N_PINGPONG=2000 N_SPAWN=20 N_WATCHED=200 REDO_DIRTY=0 \
  TP_RATES="5000 0" TP_SECONDS=1 TP_MAX_N=20000 FP_IDLE_SEC=1 FP_IDLE_PROCS=20 FP_LAT_N=5 BENCH_VM=0 BENCH_REPORT="$report" \
  "$ROOT/scripts/bench.sh" "$BUILD_DIR" >/dev/null
fail=0
for want in "## Overhead ratios" "## Event throughput" "## Footprint" "## Targets" "| auditd wall |" \
  "| bpftrace wall |" "null-write loop" "ping-pong" "watched request loop" "events/s end to end" "idle CPU" \
  "first event" "single event at idle"; do
  grep -qF -- "$want" "$report" || { echo "smoke: report lacks '$want'" >&2; fail=1; }
done
# Every target row has a verdict for socket-tp (the first tier column), and for syscall-tp too
# except the ping-pong and watched-loop ratios, whose targets are socket-tp's (reported there).
rows=$(grep -E '^\| (unrelated|watched|agent|idle|RSS|exec|single)' "$report" || true)
n=$(grep -cE '^\| [^|]+ \| [^|]*(PASS|MISS) \|' <<<"$rows" || true)
((n == 12)) || { echo "smoke: expected 12 target rows with a socket-tp verdict, found $n" >&2; fail=1; }
n=$(grep -cE '^\| [^|]+ \| [^|]*(PASS|MISS) \| [^|]*(PASS|MISS) \|' <<<"$rows" || true)
((n == 10)) || { echo "smoke: expected 10 target rows with a syscall-tp verdict too, found $n" >&2; fail=1; }
n=$(grep -E '^\| (unrelated unix|watched request)' <<<"$rows" | grep -cE '^\| [^|]+ \| [^|]+ \| [^|]*\(reported\) \|' || true)
((n == 2)) || { echo "smoke: expected syscall-tp's ping-pong and watched-loop ratios reported, found $n" >&2; fail=1; }
# Events delivered by the throughput runs at the paced rate: the tiny rate must be ok.
grep -qE '^\| socket-tp \| 5,000 \| .* \| ok \|$' "$report" || { echo "smoke: socket-tp lost events at 5,000/s" >&2; fail=1; }
((fail == 0)) || { cat "$report" >&2; exit 1; }
echo "bench smoke: ok"
