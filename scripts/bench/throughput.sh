#!/usr/bin/env bash
# Event throughput of the agent, end to end: a rate-controlled generator sends 64-byte
# messages on one connection to a watched unix socket (each message = one `send` event), the
# agent writes JSON lines to a file, and the file is checked afterwards:
#   delivered = `send` events of the generator's pid in the file, expected = writes made,
#   lost      = sum of the agent's `lost` records (ring buffer full, output queue full, ...).
# A rate passes when delivered == expected and nothing was lost.
#
#   scripts/bench/throughput.sh [BUILD_DIR]        standalone (root)
#   source scripts/bench/throughput.sh             from scripts/bench.sh (uses its helper/log)
#
# Environment: TP_OUT_DIR (the JSON file's directory: a tmpfs one by default, see tp_out_dir),
#              TP_TIER (socket-tp), TP_RATES ("50000 100000 200000 300000 400000 0"; 0 = as fast
#              as the generator can), TP_SECONDS (3: writes per rate = rate x seconds; for 0,
#              TP_MAX_N), TP_MAX_N (900000), PIN_CPU (nproc-1 | none), TP_BATCH (16: messages
#              per sendmmsg(2), each its own send and event; 1 = one write(2) per message;
#              always 1 for syscall-tp, which sees one send per sendmmsg).
# Prints one line per rate: "tp RATE_OFFERED ACHIEVED_RATE EXPECTED DELIVERED LOST AGENT_CPU_MS
# AGENT_RSS_KB AGENT_HWM_KB STATUS" (STATUS ok|loss|missing|crash) to stdout.
set -euo pipefail
# shellcheck source=bg.sh
source "$(dirname "${BASH_SOURCE[0]}")/bg.sh"

# tp_one TIER RATE N -> one result line. Needs: BIN, H (bench helper), WORK, PIN (array).
tp_one() {
  local tier=$1 rate=$2 n=$3 sock=$WORK/tp.sock out=${TP_OUT_DIR:-$WORK}/tp.json log=$WORK/tp-agent.log
  local spid apid i
  : >"$WORK/tp-sink.out" # (not the "ready" of an earlier run)
  "${PIN[@]}" "$H" sink "$sock" >"$WORK/tp-sink.out" 2>&1 &
  spid=$!
  BG_PIDS+=("$spid")
  for ((i = 0; i < 100; i++)); do grep -q ready "$WORK/tp-sink.out" 2>/dev/null && break; sleep 0.05; done
  grep -q ready "$WORK/tp-sink.out" || { kill "$spid"; echo "throughput: sink did not start" >&2; return 1; }
  rm -f "$out"
  : >"$log"
  # Flood budgets off (both 0): this measures the cost of capturing every event; with the
  # defaults (500 connects/s, 5000 sends/s per process) one fast loop would be summarised instead.
  "${AGENT_PIN[@]}" "$BIN" run --no-default-sockets --flood-send-rate 0 --flood-connect-rate 0 --socket "$sock" --tier "$tier" -o "$out" 2>"$log" &
  apid=$!
  BG_PIDS+=("$apid")
  for ((i = 0; i < 300; i++)); do
    # ("watching": agents older than the "ready" line)
    grep -qE "ready: tier|watching $sock" "$log" && break
    kill -0 "$apid" 2>/dev/null || break
    sleep 0.05
  done
  if ! grep -qE "ready: tier|watching $sock" "$log" || ! grep -q "capturing with tier $tier " "$log"; then
    cat "$log" >&2
    kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
    kill "$apid" 2>/dev/null; wait "$apid" 2>/dev/null || true
    echo "throughput: agent did not start with tier $tier" >&2
    return 1
  fi
  local c0 c1 wall cpu gen_out status=ok
  c0=$(tp_agent_cpu_ms "$apid")
  # syscall-tp reports a sendmmsg(2) as one send (its first message: docs/tiers.md), so its
  # generator makes one write(2) per message; the other tiers see every message of a batch.
  local batch=${TP_BATCH:-16}
  [[ $tier == syscall-tp ]] && batch=1
  gen_out=$("${PIN[@]}" "$H" flood "$n" "$rate" "$sock" "$batch" 2>&1) || { echo "throughput: generator failed: $gen_out" >&2; status=crash; }
  read -r wall cpu <<<"$gen_out"
  # Let the agent drain: until neither its CPU time nor the file moves (at most 20 s). (A
  # writer blocked on the page cache uses no CPU while the file still grows.)
  local prev=-1 cur
  for ((i = 0; i < 200; i++)); do
    sleep 0.1
    kill -0 "$apid" 2>/dev/null || break
    cur="$(tp_agent_cpu_ms "$apid") $(stat -c %s "$out" 2>/dev/null || echo 0)"
    [[ $cur == "$prev" ]] && break
    prev=$cur
  done
  local rss hwm
  if kill -0 "$apid" 2>/dev/null; then
    c1=$(tp_agent_cpu_ms "$apid")
    rss=$(awk '/^VmRSS:/{print $2}' "/proc/$apid/status")
    hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$apid/status")
    kill -TERM "$apid"
    wait "$apid" || { cat "$log" >&2; status=crash; }
  else
    wait "$apid" || true
    c1=$c0; rss=0; hwm=0; status=crash
    cat "$log" >&2
  fi
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
  BG_PIDS=() # all waited for
  local delivered lost achieved
  # The generator is the only writer on this socket; each write is one send event.
  delivered=$(grep -c '"action":"send"' "$out" || true)
  # The loss records, or agent-stop's total if larger: drops the agent counts while its output
  # queue is full (what the loss record would have gone through) are in that total.
  lost=$({ grep -E '"action":"(lost|agent-stop)"' "$out" || true; } | python3 -c '
import json, sys
records, total = 0, 0
for l in sys.stdin:
    s = json.loads(l)["sockwarden"]
    if "lost" in s: records += s["lost"]["count"]
    else: total = s["agent"]["totals"]["lost"]
print(max(records, total))')
  achieved=$(awk -v n="$n" -v w="${wall:-1}" 'BEGIN{printf "%.0f", n / (w / 1e9)}')
  if [[ $status == ok ]]; then
    if ((lost > 0)); then status=loss
    elif ((delivered != n)); then status=missing
    fi
  fi
  echo "tp $rate $achieved $n $delivered $lost $((c1 - c0)) $rss $hwm $status"
  rm -f "$out"
}

tp_agent_cpu_ms() { # utime+stime of the whole agent process, in ms
  awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"
}

# tp_out_dir: where the JSON file goes (TP_OUT_DIR): a private directory on tmpfs (/dev/shm) when
# there is one, else $WORK. At 300,000 events/s the agent writes ~420 MB/s of JSON; on this
# machine's virtual disk the kernel's dirty-page throttling then blocks the writer at the disk's
# speed after a few runs, and what is measured is the disk, not the agent (the output queue fills
# and the agent reports the drops as output-queue-full). TP_OUT_DIR=DIR measures on DIR's disk.
tp_out_dir() {
  if [[ -z ${TP_OUT_DIR:-} && -d /dev/shm && -w /dev/shm ]]; then
    TP_OUT_DIR=$(mktemp -d /dev/shm/sw-tp.XXXXXX)
    TP_OWN_DIR=$TP_OUT_DIR # removed at exit (a TP_OUT_DIR the user gave is not)
  fi
}

# tp_other_cpu CPU -> the CPU the agent runs on: the generator and its sink have one CPU, the
# agent (all its threads) another, so neither measures the other's scheduling.
tp_other_cpu() { echo $(( $1 == 0 ? 1 : 0 )); }

# tp_ramp TIER: every rate of TP_RATES, one result line each.
tp_ramp() {
  local tier=$1 rate n
  for rate in ${TP_RATES:-50000 100000 200000 300000 400000 0}; do
    if ((rate > 0)); then n=$((rate * ${TP_SECONDS:-3})); else n=${TP_MAX_N:-900000}; fi
    ((n <= ${TP_MAX_N:-900000})) || n=${TP_MAX_N:-900000}
    tp_one "$tier" "$rate" "$n"
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  BUILD_DIR=${1:-$ROOT/build}
  BIN=$BUILD_DIR/userspace/sockwarden
  [[ $EUID -eq 0 ]] || { echo "throughput.sh: must run as root" >&2; exit 3; }
  [[ -x $BIN ]] || { echo "throughput.sh: no agent binary at $BIN" >&2; exit 2; }
  WORK=$(mktemp -d /tmp/sw-tp.XXXXXX)
  tp_out_dir
  trap 'bg_cleanup; rm -rf "$WORK" ${TP_OWN_DIR:+"$TP_OWN_DIR"}' EXIT
  cc -O2 -Wall -o "$WORK/bench_helper" "$ROOT/scripts/bench/bench_helper.c"
  H=$WORK/bench_helper
  PIN_CPU=${PIN_CPU:-$(($(nproc) - 1))}
  PIN=()
  AGENT_PIN=()
  if [[ $PIN_CPU != none ]]; then
    PIN=(taskset -c "$PIN_CPU")
    AGENT_PIN=(taskset -c "$(tp_other_cpu "$PIN_CPU")")
  fi
  echo "# tp OFFERED ACHIEVED EXPECTED DELIVERED LOST AGENT_CPU_MS RSS_KB HWM_KB STATUS"
  tp_ramp "${TP_TIER:-socket-tp}"
fi
