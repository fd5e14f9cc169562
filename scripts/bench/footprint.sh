#!/usr/bin/env bash
# Agent footprint: startup time to the first event, then idle CPU and memory.
#   startup  a client connects to the watched socket every millisecond; the agent is started
#            (`sockwarden run ... -o FILE`) and the time from its exec until the first
#            `connect` line appears in FILE is measured (also: until the "ready" log line).
#   idle     the client stops; after a 2 s settle, the agent's CPU time over FP_IDLE_SEC seconds
#            (the sum of its threads' /proc/PID/task/TID/schedstat, in ns) as a percentage of
#            one CPU; VmRSS and VmHWM (/proc/PID/status) at the end. Then the same with
#            FP_IDLE_PROCS (1000) more processes on the host (sleeping children of this
#            script): what the agent does per process at idle shows there (a VM with ~70
#            processes hid three /proc scans every 5 s).
#   latency  then FP_LAT_N (50) single connects, 100 ms apart, each timed from just before
#            connect(2) until its `connect` line is in FILE: p50 and p99 of a single event at
#            idle reaching the output (the kernel no longer wakes the agent per record, so this
#            is bounded by the agent's read interval).
#
#   scripts/bench/footprint.sh [BUILD_DIR]        standalone (root)
#   source scripts/bench/footprint.sh             from scripts/bench.sh
#
# Environment: FP_TIER (socket-tp), FP_IDLE_SEC (30), FP_IDLE_PROCS (1000).
# Prints "fp TIER READY_MS FIRST_EVENT_MS IDLE_CPU_PCT RSS_KB HWM_KB LAT_P50_US LAT_P99_US
# IDLE_CPU_PCT_WITH_PROCS".
set -euo pipefail
# shellcheck source=bg.sh
source "$(dirname "${BASH_SOURCE[0]}")/bg.sh"

fp_now_ns() { date +%s%N; }
# fp_cpu_ns PID: CPU time of all of PID's threads, ns.
fp_cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%d\n", s}'; }
# fp_idle_pct PID SECONDS: PID's CPU over the next SECONDS, percent of one CPU.
fp_idle_pct() {
  local c0 c1
  c0=$(fp_cpu_ns "$1")
  sleep "$2"
  c1=$(fp_cpu_ns "$1")
  awk -v c=$((c1 - c0)) -v s="$2" 'BEGIN{printf "%.2f", 100 * c / 1e9 / s}'
}

# fp_run TIER. Needs: BIN, H (bench helper), WORK.
fp_run() {
  local tier=$1 sock=$WORK/fp.sock out=$WORK/fp.json log=$WORK/fp-agent.log
  local spid cpid apid i t0 tready=0 tfirst=0
  : >"$WORK/fp-server.out" # (not the "ready" of an earlier run)
  "$H" serve "$sock" >"$WORK/fp-server.out" 2>&1 &
  spid=$!
  BG_PIDS+=("$spid")
  for ((i = 0; i < 100; i++)); do grep -q ready "$WORK/fp-server.out" 2>/dev/null && break; sleep 0.05; done
  "$H" connectloop "$sock" &
  cpid=$!
  BG_PIDS+=("$cpid")
  rm -f "$out"
  t0=$(fp_now_ns)
  # Flood budgets off (both 0): this measures the cost of capturing every event; with the
  # defaults (500 connects/s, 5000 sends/s per process) one fast loop would be summarised instead.
  "$BIN" run --no-default-sockets --flood-send-rate 0 --flood-connect-rate 0 --socket "$sock" --tier "$tier" -o "$out" 2>"$log" &
  apid=$!
  BG_PIDS+=("$apid")
  # Poll every 5 ms for up to 10 s.
  for ((i = 0; i < 2000; i++)); do
    if ((tready == 0)) && grep -q "ready: tier" "$log"; then tready=$(fp_now_ns); fi
    if [[ -s $out ]] && grep -q '"action":"connect"' "$out"; then tfirst=$(fp_now_ns); break; fi
    kill -0 "$apid" 2>/dev/null || break
    sleep 0.005
  done
  ((tready)) || tready=$tfirst
  kill "$cpid" 2>/dev/null || true
  wait "$cpid" 2>/dev/null || true
  if ((tfirst == 0)); then
    cat "$log" >&2
    kill "$apid" "$spid" 2>/dev/null || true
    wait "$apid" "$spid" 2>/dev/null || true
    echo "footprint: no connect event within 10 s of starting the agent" >&2
    return 1
  fi
  sleep 2
  local idle=${FP_IDLE_SEC:-30} idle_pct busy_pct rss hwm
  idle_pct=$(fp_idle_pct "$apid" "$idle")
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$apid/status")
  hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$apid/status")
  # The same idle agent on a host with FP_IDLE_PROCS more processes; they are stopped by pid.
  local procs=() p
  for ((i = 0; i < ${FP_IDLE_PROCS:-1000}; i++)); do
    sleep 3600 &
    procs+=($!)
  done
  BG_PIDS+=("${procs[@]}")
  sleep 2
  busy_pct=$(fp_idle_pct "$apid" "$idle")
  for p in "${procs[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${procs[@]}"; do wait "$p" 2>/dev/null || true; done
  local lat
  lat=$("$H" latency "$sock" "$out" "${FP_LAT_N:-50}" 100) || { cat "$log" >&2; echo "footprint: latency probe failed" >&2; return 1; }
  kill -TERM "$apid"
  wait "$apid" || { cat "$log" >&2; echo "footprint: agent failed" >&2; return 1; }
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
  BG_PIDS=() # all waited for
  rm -f "$out"
  echo "fp $tier $(((tready - t0) / 1000000)) $(((tfirst - t0) / 1000000)) $idle_pct $rss $hwm" \
    "$(awk '{print $1, $2}' <<<"$lat") $busy_pct"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  BUILD_DIR=${1:-$ROOT/build}
  BIN=$BUILD_DIR/userspace/sockwarden
  [[ $EUID -eq 0 ]] || { echo "footprint.sh: must run as root" >&2; exit 3; }
  [[ -x $BIN ]] || { echo "footprint.sh: no agent binary at $BIN" >&2; exit 2; }
  WORK=$(mktemp -d /tmp/sw-fp.XXXXXX)
  trap 'bg_cleanup; rm -rf "$WORK"' EXIT
  cc -O2 -Wall -o "$WORK/bench_helper" "$ROOT/scripts/bench/bench_helper.c"
  H=$WORK/bench_helper
  echo "# fp TIER READY_MS FIRST_EVENT_MS IDLE_CPU_PCT RSS_KB HWM_KB LAT_P50_US LAT_P99_US"
  fp_run "${FP_TIER:-socket-tp}"
fi
