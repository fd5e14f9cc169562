#!/usr/bin/env bash
# The agent's cost against issue 8's targets, per tier, in one run:
#   1. overhead ratios (agent attached / not attached) of the workloads below, for the host's
#      tiers (socket-tp, syscall-tp) and two anchors, "auditd" (auditd with one connect rule,
#      scripts/bench/auditd.sh) and "bpftrace" (the one-liner a responder would write instead:
#      scripts/bench/bpftrace.sh), interleaved in the same run;
#   2. event throughput: the highest offered rate of watched writes delivered end to end to a
#      JSON file with zero loss, and what happens above it (scripts/bench/throughput.sh);
#   3. footprint: startup time to the first event, idle CPU, RSS (scripts/bench/footprint.sh);
#   4. the lsm and fentry tiers' ratios inside the vmtest QEMU guests (vmtest/bench.sh; ratios
#      only, TCG inflates absolute times).
# Then one table per target with PASS / MISS. Exit code: non-zero on errors only (a MISS is a
# result, not an error).
#
#   scripts/bench.sh [BUILD_DIR]          (root; BUILD_DIR default: ./build)
#
# Workloads (a small C helper compiled into a temp dir):
#   write     tight loop of 1-byte write(2) to /dev/null              (unrelated syscalls)
#   pingpong  1-byte ping-pong over a unix socketpair, two processes  (unrelated socket traffic)
#   spawn     fork + exec /bin/true + exit + wait                     (the process-table hooks:
#             sched_process_fork/exec/exit fire on every process on the machine)
#   watched   connect + HTTP-like request + reply + close on the watched unix socket, served
#             by a small persistent server                             (what the agent captures)
# Each round measures every workload without the agent and with
# `sockwarden run --no-default-sockets --socket <bench socket> --tier T` (stdout to /dev/null),
# back to back, alternating which comes first. Within a measurement each workload runs REPS
# times and the least time counts (best_of); the table shows the median ratio over ROUNDS
# rounds and the min-max range. Two metrics per cell:
#   wall  elapsed time of the workload
#   cpu   CPU time of the workload's processes (for watched: client + server), which is where
#         in-kernel hook costs are charged; less sensitive to other load on the machine.
# Absolute times are never the result; BENCH_VERBOSE=1 prints per-round ratios.
#
# The workload processes (and the watched server) are pinned to one CPU (PIN_CPU, default the
# last one; PIN_CPU=none to let them float): cross-CPU wake-ups otherwise dominate the variance
# of the ping-pong and request loops. The agent itself is not pinned.
# After every agent run the script checks that it delivered every watched event: per request
# socket-tp emits connect+send+reply+request, syscall-tp connect+send+request (plus the agent-start
# and agent-stop events of each run); missing events that were not
# reported in a loss record are printed as "missing without a loss record".
#
# Environment: ROUNDS (9), REPS (3: runs of each workload per measurement, the least counts; see
#              best_of), N_WRITE (2000000), N_PINGPONG (100000), N_SPAWN (1000), N_WATCHED (10000),
#              TIERS ("socket-tp syscall-tp auditd bpftrace"), PIN_CPU (nproc-1 | none),
#              BENCH_THROUGHPUT (1; TP_RATES, TP_SECONDS, TP_MAX_N: see throughput.sh),
#              BENCH_FOOTPRINT (1; FP_IDLE_SEC), BENCH_VM (1; SW_VMBENCH_*: see vmtest/bench.sh),
#              BENCH_REPORT (file to also write the final report to), REDO_DIRTY (1: rounds during
#              which someone else's tracing BPF program was loaded are measured again; 0: kept).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${1:-$ROOT/build}
BIN=$BUILD_DIR/userspace/sockwarden
ROUNDS=${ROUNDS:-9}
N_WRITE=${N_WRITE:-2000000}
N_PINGPONG=${N_PINGPONG:-100000}
N_WATCHED=${N_WATCHED:-10000}
REPS=${REPS:-3}
N_SPAWN=${N_SPAWN:-1000}
TIERS=${TIERS:-socket-tp syscall-tp auditd bpftrace}
VERBOSE=${BENCH_VERBOSE:-}
PIN_CPU=${PIN_CPU:-$(($(nproc) - 1))}

[[ $EUID -eq 0 ]] || { echo "bench.sh: must run as root (the agent loads BPF)" >&2; exit 3; }
# shellcheck source=bench/auditd.sh
source "$ROOT/scripts/bench/auditd.sh"
# shellcheck source=bench/bpftrace.sh
source "$ROOT/scripts/bench/bpftrace.sh"
# shellcheck source=bench/throughput.sh
source "$ROOT/scripts/bench/throughput.sh"
# shellcheck source=bench/footprint.sh
source "$ROOT/scripts/bench/footprint.sh"
if [[ " $TIERS " == *" auditd "* ]] && ! audit_available; then
  echo "bench.sh: the auditd anchor needs auditd/auditctl and the kernel's audit subsystem (scripts/setup.sh --test), or leave auditd out of TIERS" >&2
  exit 2
fi
if [[ " $TIERS " == *" bpftrace "* ]] && ! bpftrace_available; then
  echo "bench.sh: the bpftrace anchor needs bpftrace (scripts/setup.sh --test), or leave bpftrace out of TIERS" >&2
  exit 2
fi
[[ -x $BIN ]] || { echo "bench.sh: no agent binary at $BIN (build first, or pass BUILD_DIR)" >&2; exit 2; }
command -v cc >/dev/null || { echo "bench.sh: needs a C compiler (build-essential)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/sw-bench.XXXXXX)
SOCK=$WORK/bench.sock
SERVER_PID=
AGENT_PID=
cleanup() {
  local p
  [[ -n ${AUDIT_DAEMON_PID:-} ]] && audit_stop
  [[ -n ${BPFT_PID:-} ]] && bpftrace_stop
  bg_cleanup # the throughput and footprint parts' processes, if one of them failed
  for p in "$AGENT_PID" "$SERVER_PID"; do
    if [[ -n $p ]] && kill -TERM "$p" 2>/dev/null; then wait "$p" 2>/dev/null || true; fi
  done
  rm -rf "$WORK" ${TP_OWN_DIR:+"$TP_OWN_DIR"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "bench.sh: command failed at line $LINENO" >&2' ERR

log() { echo "[bench] $*" >&2; }

# --- the workload helper (scripts/bench/bench_helper.c) ---------------------------
cc -O2 -Wall -o "$WORK/bench_helper" "$ROOT/scripts/bench/bench_helper.c"
H=$WORK/bench_helper
PIN=()
tp_out_dir # the throughput part's JSON file: on tmpfs (throughput.sh)
AGENT_PIN=() # the throughput part's agent: on another CPU than its generator (tp_other_cpu)
if [[ $PIN_CPU != none ]]; then
  PIN=(taskset -c "$PIN_CPU")
  AGENT_PIN=(taskset -c "$(tp_other_cpu "$PIN_CPU")")
fi

# --- the watched server --------------------------------------------------------
"${PIN[@]}" "$H" serve "$SOCK" >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/server.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$WORK/server.out" || { cat "$WORK/server.out" >&2; echo "bench.sh: server did not start" >&2; exit 1; }

# --- agent control ---------------------------------------------------------------
agent_cpu_ns() { # sum of on-CPU ns over the agent's threads
  local t s=0 v
  for t in /proc/"$AGENT_PID"/task/*/schedstat; do
    read -r v _ <"$t" 2>/dev/null || continue
    s=$((s + v))
  done
  echo "$s"
}
agent_start() { # tier
  if [[ $1 == auditd ]]; then
    audit_start || exit 1
    return
  fi
  if [[ $1 == bpftrace ]]; then
    bpftrace_start "$SOCK" || exit 1
    return
  fi
  : >"$WORK/agent.log"
  # Flood budgets off (both 0): this measures the cost of capturing every event; with the
  # defaults (500 connects/s, 5000 sends/s per process) one fast loop would be summarised instead.
  "$BIN" run --no-default-sockets --flood-send-rate 0 --flood-connect-rate 0 --socket "$SOCK" --tier "$1" >/dev/null 2>"$WORK/agent.log" &
  AGENT_PID=$!
  local i
  for ((i = 0; i < 300; i++)); do
    grep -q "watching $SOCK" "$WORK/agent.log" && break
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.05
  done
  if ! grep -q "watching $SOCK" "$WORK/agent.log" || ! grep -q "capturing with tier $1 " "$WORK/agent.log"; then
    cat "$WORK/agent.log" >&2
    echo "bench.sh: agent did not start with tier $1" >&2
    exit 1
  fi
}
# prog_ids_of PID: the ids of the BPF programs PID holds (its fds' fdinfo; bpftool's "pids"
# needs an iterator that is not always available). Also used by bench/bpftrace.sh.
prog_ids_of() {
  (cat /proc/"$1"/fdinfo/* 2>/dev/null || true) | sed -nE 's/^prog_id:\s*([0-9]+)/\1/p' | sort -u
}
# wait_progs_unloaded IDS: the kernel frees programs after an RCU grace period; wait (up to
# 5 s) until they are gone, so the next measurement neither pays for them nor mistakes them
# for someone else's.
wait_progs_unloaded() {
  local i
  ((HAVE_BPFTOOL)) && [[ -n $1 ]] || return 0
  for ((i = 0; i < 100; i++)); do
    bpftool prog show 2>/dev/null | grep -qE "^($(echo $1 | tr ' ' '|')):" || break
    sleep 0.05
  done
}
agent_stop() { # sets AGENT_EL="EVENTS LOST" from the agent's exit line
  local ids
  if [[ -n $AUDIT_DAEMON_PID ]]; then
    audit_stop
    return
  fi
  if [[ -n $BPFT_PID ]]; then
    bpftrace_stop
    return
  fi
  ids=$(prog_ids_of "$AGENT_PID")
  kill -TERM "$AGENT_PID"
  wait "$AGENT_PID" || { cat "$WORK/agent.log" >&2; echo "bench.sh: agent failed" >&2; exit 1; }
  wait_progs_unloaded "$ids"
  AGENT_PID=
  AGENT_EL=$(sed -nE 's/.*exiting: ([0-9]+) events, ([0-9]+) lost.*/\1 \2/p' "$WORK/agent.log" | tail -1)
}

# Tracing BPF programs loaded by anyone but our agent (another sockwarden, a test suite, a
# tracer). A syscall tracepoint attached by someone else moves *every* task to the slow syscall
# path, so it slows both sides of a ratio unevenly: rounds that saw one are measured again.
foreign_bpf() {
  if ((HAVE_BPFTOOL)); then
    # Ours: the prog ids behind our agent's (or anchor's) bpf fds.
    bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
own = {int(i) for i in sys.argv[1].split()}
try:
    progs = json.load(sys.stdin)
except ValueError:
    progs = []
kinds = {"tracing", "raw_tracepoint", "tracepoint", "kprobe", "perf_event", "lsm", "cgroup_sock_addr"}
print(sum(1 for p in progs if p.get("type") in kinds and p.get("id") not in own))' "$(prog_ids_of "${AGENT_PID:-none}")"
  else
    pgrep -x sockwarden | grep -vx "${AGENT_PID:-none}" | wc -l
  fi
}
note_foreign() { local n; n=$(foreign_bpf); ((n == 0)) || DIRTY=1; }
wait_quiet() { # up to QUIET_WAIT seconds for other tracing programs to go away
  local i
  for ((i = 0; i < ${QUIET_WAIT:-180}; i++)); do
    (($(foreign_bpf) == 0)) && return 0
    ((i % 30)) || log "waiting for other BPF tracing programs to unload (someone else's agent or tests)"
    sleep 1
  done
  return 1
}

# run_set OUTFILE: one measurement of each workload, "name wall cpu" lines. With the agent
# attached, also "agentcpu NS" = agent CPU spent during (and draining after) the watched loop.
# Sets DIRTY=1 if a foreign tracing program was loaded before or after a workload.
# best_of ARGS...: the helper run REPS times, back to back; prints "WALL CPU", each the least
# of the REPS. This VM's host steals time in bursts (the same binary measured 40 and 65 ticks
# minutes apart): noise only ever adds time, so the least of a few runs is the estimate least
# moved by it, for the workload with and without the agent alike.
best_of() {
  local i v w c bw=-1 bc=-1
  for ((i = 0; i < REPS; i++)); do
    v=$("${PIN[@]}" "$H" "$@")
    read -r w c <<<"$v"
    ((bw < 0 || w < bw)) && bw=$w
    ((bc < 0 || c < bc)) && bc=$c
  done
  echo "$bw $bc"
}

run_set() {
  local out=$1
  : >"$out"
  local v a0=0
  note_foreign
  v=$(best_of write "$N_WRITE"); echo "write $v" >>"$out"
  note_foreign
  v=$(best_of pingpong "$N_PINGPONG"); echo "pingpong $v" >>"$out"
  note_foreign
  v=$(best_of spawn "$N_SPAWN"); echo "spawn $v" >>"$out"
  note_foreign
  if [[ -n $AGENT_PID ]]; then
    sleep 0.3 # let the agent finish the spawn workload's process records first
    a0=$(agent_cpu_ns)
  fi
  # (The agent's CPU is counted over all REPS runs: report.py divides by REPS x N_WATCHED.)
  v=$(best_of request "$N_WATCHED" "$SOCK" "$SERVER_PID"); echo "watched $v" >>"$out"
  if [[ -n $AGENT_PID ]]; then
    sleep 0.3 # the agent drains its ring buffer
    echo "agentcpu $(($(agent_cpu_ns) - a0))" >>"$out"
  fi
  note_foreign
}

# --- pre-flight --------------------------------------------------------------------
HAVE_BPFTOOL=0
command -v bpftool >/dev/null && HAVE_BPFTOOL=1
((HAVE_BPFTOOL)) || log "no bpftool: detecting other BPF users by 'sockwarden' processes only"
MAX_ATTEMPTS=${MAX_ATTEMPTS:-$((ROUNDS * 4))}
n=$(foreign_bpf)
((n == 0)) || log "NOTE: $n tracing BPF program(s) of someone else are loaded now; affected rounds are redone"
log "kernel $(uname -r), $(nproc) CPUs, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
log "workloads pinned to CPU $PIN_CPU; rounds $ROUNDS, each workload the best of $REPS runs; write x$N_WRITE, pingpong x$N_PINGPONG, spawn x$N_SPAWN, watched x$N_WATCHED; tiers: $TIERS"
"${PIN[@]}" "$H" write 200000 >/dev/null # warm-up
"${PIN[@]}" "$H" request 500 "$SOCK" "$SERVER_PID" >/dev/null

# --- measure -------------------------------------------------------------------------
RES=$WORK/results # lines: tier workload metric ratio | tier agentcpu_per_1k ns | tier events/lost
: >"$RES"
DISCARDED=0
for tier in $TIERS; do
  attempts=0
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((++attempts > MAX_ATTEMPTS)); then
      echo "bench.sh: gave up after $MAX_ATTEMPTS attempts: other BPF tracing programs keep loading" >&2
      exit 1
    fi
    if [[ ${REDO_DIRTY:-1} == 1 ]]; then
      wait_quiet || log "other tracing programs are still loaded; measuring anyway (round will be redone)"
    fi
    DIRTY=0
    if ((r % 2)); then
      run_set "$WORK/off"
      agent_start "$tier"; run_set "$WORK/on"; agent_stop
    else
      agent_start "$tier"; run_set "$WORK/on"; agent_stop
      run_set "$WORK/off"
    fi
    read -r events lost <<<"${AGENT_EL:-0 0}"
    if ((DIRTY)) && [[ ${REDO_DIRTY:-1} == 1 ]]; then
      log "round $r $tier: another tracing BPF program was loaded meanwhile; measuring it again"
      DISCARDED=$((DISCARDED + 1))
      r=$((r - 1))
      continue
    fi
    echo "$tier events $events $lost" >>"$RES"
    line="round $r $tier:"
    for w in write pingpong spawn watched; do
      read -r _ w0 c0 < <(grep "^$w " "$WORK/off")
      read -r _ w1 c1 < <(grep "^$w " "$WORK/on")
      rw=$(awk -v a="$w1" -v b="$w0" 'BEGIN{printf "%.4f", a/b}')
      rc=$(awk -v a="$c1" -v b="$c0" 'BEGIN{printf "%.4f", a/b}')
      echo "$tier $w wall $rw" >>"$RES"
      echo "$tier $w cpu $rc" >>"$RES"
      line+=" $w ${rw}x/${rc}x"
    done
    read -r _ acpu < <(grep "^agentcpu " "$WORK/on")
    echo "$tier agentcpu $acpu" >>"$RES"
    # agent CPU relative to the workload's own CPU (client + server) without the agent
    echo "$tier agentrel $(awk -v a="$acpu" -v b="$c0" 'BEGIN{printf "%.4f", a/b}')" >>"$RES"
    line+=" | events $events lost $lost"
    if [[ -n $VERBOSE ]]; then log "$line"; else log "round $r/$ROUNDS $tier done"; fi
  done
done

log "rounds discarded because another BPF tracing program was loaded: $DISCARDED"

# --- throughput and footprint (the agent's host tiers) -----------------------------------
HOST_TIERS=()
for tier in $TIERS; do [[ $tier == auditd || $tier == bpftrace ]] || HOST_TIERS+=("$tier"); done
EXTRA=$WORK/extra # "tp TIER ..." / "fp ..." / "vm ..." lines
: >"$EXTRA"
if [[ ${BENCH_THROUGHPUT:-1} == 1 ]]; then
  for tier in "${HOST_TIERS[@]}"; do
    log "throughput ramp, tier $tier: offered rates ${TP_RATES:-50000 100000 200000 300000 400000 0} (0 = unpaced)"
    tp_ramp "$tier" | sed "s/^tp /tp $tier /" | tee -a "$EXTRA" | sed 's/^/[bench] /' >&2
  done
fi
if [[ ${BENCH_FOOTPRINT:-1} == 1 ]]; then
  for tier in "${HOST_TIERS[@]}"; do
    log "footprint, tier $tier: startup to first event, then ${FP_IDLE_SEC:-30} s idle"
    fp_run "$tier" | tee -a "$EXTRA" | sed 's/^/[bench] /' >&2
  done
fi
if [[ ${BENCH_VM:-1} == 1 ]]; then
  log "lsm and fentry tiers inside the vmtest QEMU guests (vmtest/bench.sh; takes minutes under TCG)"
  SW_VMTEST_LOGS=${SW_VMTEST_LOGS:-$WORK/vmbench-logs} "$ROOT/vmtest/bench.sh" "$BUILD_DIR" | tee -a "$EXTRA" | sed 's/^/[bench] /' >&2 ||
    { echo "bench.sh: vmtest/bench.sh failed (see above)" >&2; exit 1; }
fi

# --- report --------------------------------------------------------------------------
python3 "$ROOT/scripts/bench/report.py" "$RES" "$EXTRA" "$((N_WATCHED * REPS))" "$TIERS" | tee "${BENCH_REPORT:-/dev/null}"
if [[ -n ${BENCH_REPORT:-} ]]; then # the raw numbers, to redo the report (report.py) later
  cp "$RES" "$BENCH_REPORT.results"
  cp "$EXTRA" "$BENCH_REPORT.extra"
fi
