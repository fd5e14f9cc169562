#!/usr/bin/env bash
# Overhead ratios of the lsm and fentry tiers, which this host's kernel refuses: the bench
# workloads of scripts/bench.sh run inside the vmtest QEMU guests, agent off and on,
# interleaved, repeated. Boots (see vmtest/README.md):
#   6.12           BPF LSM active                   -> tier lsm (and socket-tp, for comparison
#                                                      with the host's numbers)
#   6.12-nobpflsm  booted without "bpf" in lsm=      -> tier fentry
#   5.10           Debian 11's kernel (the 5.10 build of the BPF objects) -> tier fentry,
#                  reported as fentry-5.10
#   5.10-bpflsm    the same with "bpf" in lsm=       -> tier lsm, reported as lsm-5.10
# TCG emulates the CPU, so absolute times are meaningless (several times slower, and hook
# costs are inflated differently than plain instructions); only the per-round ratios
# agent-on / agent-off are reported, as a median with min-max.
#
#   vmtest/bench.sh [BUILD_DIR]          (root; BUILD_DIR defaults to <repo>/build)
#
# Environment: SW_VMBENCH_BOOTS ("6.12 6.12-nobpflsm 5.10 5.10-bpflsm"), SW_VMBENCH_ROUNDS (7),
#   SW_VMBENCH_N_WRITE (500000), SW_VMBENCH_N_PINGPONG (10000), SW_VMBENCH_N_WATCHED (1000),
#   SW_VMTEST_ACCEL (tcg,thread=multi), SW_VMBENCH_APPEND (extra kernel command line, e.g. "clocksource=tsc tsc=reliable"),
#   SW_VMTEST_BOOT_TIMEOUT (900), SW_VMTEST_MEM (1G), SW_VMTEST_LOGS (BUILD_DIR/vmbench-logs),
#   SW_VMTEST_CACHE (kernel cache).
# Output (stdout): "vm TIER WORKLOAD METRIC MEDIAN MIN MAX ROUNDS" lines, then a table on
# stderr. Exit code non-zero on errors (no VM result, an agent that failed), never on a miss.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(realpath -m "${1:-$root/build}")
logs=$(realpath -m "${SW_VMTEST_LOGS:-$build/vmbench-logs}")
boots=${SW_VMBENCH_BOOTS:-"6.12 6.12-nobpflsm 5.10 5.10-bpflsm"}
rounds=${SW_VMBENCH_ROUNDS:-7}
n_write=${SW_VMBENCH_N_WRITE:-500000}
n_pingpong=${SW_VMBENCH_N_PINGPONG:-10000}
n_watched=${SW_VMBENCH_N_WATCHED:-1000}
boot_timeout=${SW_VMTEST_BOOT_TIMEOUT:-900}
mem=${SW_VMTEST_MEM:-1G}

say() { echo "vmbench: $*" >&2; }
[[ $EUID -eq 0 ]] || { say "must run as root"; exit 77; }
for t in qemu-system-x86_64 busybox cpio timeout cc; do
  command -v $t >/dev/null || { say "$t missing (run scripts/setup.sh --test)"; exit 77; }
done
[[ -x $build/userspace/sockwarden ]] || { say "missing $build/userspace/sockwarden: build first"; exit 1; }

declare -A BOOT_KERNEL=([6.12]=6.12 [6.12-nobpflsm]=6.12 [5.10]=5.10 [5.10-bpflsm]=5.10)
declare -A BOOT_CMDLINE=([6.12]="" [6.12-nobpflsm]="lsm=landlock,lockdown,yama,integrity,apparmor" [5.10]=""
  [5.10-bpflsm]="lsm=lockdown,yama,integrity,apparmor,bpf")
declare -A BOOT_TIERS=([6.12]="lsm socket-tp" [6.12-nobpflsm]="fentry" [5.10]="fentry" [5.10-bpflsm]="lsm")

# Multi-threaded TCG, one host thread per vCPU (the matrix runs single-threaded: vmtest/README,
# "The int3 panic"; the bench attaches and detaches its agent only while nothing sends). With
# thread=single the two vCPUs take turns on one host thread while the guest's clock follows the
# host's, so the agent's work on vCPU 0 was counted as CPU time of the workload on vCPU 1: the
# watched loop read 2.1x there and 1.26x (socket-tp) / 1.35x (lsm) multi-threaded, in the same
# hour (bench/RESULTS.md, issue 18, eighth step). Only loops that keep the agent busy moved.
accel=${SW_VMTEST_ACCEL:-tcg,thread=multi}

mkdir -p "$logs"
manifest=$("$here/fetch-kernels.sh") || { say "could not fetch the kernels"; exit 1; }
work=$(mktemp -d /tmp/sw-vmbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The guest has no compiler: the helper goes in statically linked.
cc -O2 -Wall -static -o "$work/bench_helper" "$root/scripts/bench/bench_helper.c"

# The guest's payload (busybox sh): per tier and round, every workload with the agent off
# and on (alternating which goes first), each result as one marker line.
make_payload() { # tiers out
  cat >"$2" <<EOF
#!/bin/sh
TIERS="$1"; ROUNDS=$rounds; N_WRITE=$n_write; N_PINGPONG=$n_pingpong; N_WATCHED=$n_watched
EOF
  cat >>"$2" <<'EOF'
H=bench_helper
SOCK=/tmp/bench.sock
# Every record's timestamp is a clock read: the guest's clocksource decides its price.
echo "SOCKWARDEN-VMBENCH-CLOCK $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
PIN="taskset 0x2"   # workloads on CPU 1, as on the host
rc=0
$PIN $H serve $SOCK >/tmp/server.out 2>&1 &
SERVER=$!
i=0; while [ $i -lt 100 ] && ! grep -q ready /tmp/server.out; do sleep 0.1; i=$((i+1)); done
grep -q ready /tmp/server.out || { echo "SOCKWARDEN-VMBENCH-ERROR server did not start"; exit 1; }
measure() { # tier round mode
  for w in write pingpong watched; do
    case $w in
      write) v=$($PIN $H write $N_WRITE) ;;
      pingpong) v=$($PIN $H pingpong $N_PINGPONG) ;;
      watched) v=$($PIN $H request $N_WATCHED $SOCK $SERVER) ;;
    esac
    echo "SOCKWARDEN-VMBENCH $1 $2 $3 $w $v"
  done
}
agent_on() { # tier
  : >/tmp/agent.log
  # Flood budgets off (both 0): this measures the cost of capturing every event; with the
  # defaults (500 connects/s, 5000 sends/s per process) one fast loop would be summarised instead.
  sockwarden run --no-default-sockets --flood-send-rate 0 --flood-connect-rate 0 --socket $SOCK --tier $1 >/dev/null 2>/tmp/agent.log &
  AGENT=$!
  i=0; while [ $i -lt 600 ] && ! grep -q "ready: tier $1" /tmp/agent.log; do
    kill -0 $AGENT 2>/dev/null || break; sleep 0.1; i=$((i+1)); done
  if ! grep -q "ready: tier $1" /tmp/agent.log; then
    echo "SOCKWARDEN-VMBENCH-ERROR agent did not start with tier $1"; cat /tmp/agent.log; return 1
  fi
}
agent_off() {
  kill -TERM $AGENT; wait $AGENT || { echo "SOCKWARDEN-VMBENCH-ERROR agent exited non-zero"; cat /tmp/agent.log; rc=1; }
  sleep 0.5  # the programs are freed after an RCU grace period
}
$PIN $H write 200000 >/dev/null  # warm-up
$PIN $H request 100 $SOCK $SERVER >/dev/null
for tier in $TIERS; do
  r=1
  while [ $r -le $ROUNDS ]; do
    if [ $((r % 2)) -eq 1 ]; then
      measure $tier $r off
      agent_on $tier || { rc=1; break; }
      measure $tier $r on; agent_off
    else
      agent_on $tier || { rc=1; break; }
      measure $tier $r on; agent_off
      measure $tier $r off
    fi
    r=$((r+1))
  done
done
kill $SERVER
exit $rc
EOF
}

results=$work/results
: >"$results"
status=0
for label in $boots; do
  line=$(awk -v l="${BOOT_KERNEL[$label]:-none}" '$1 == l' "$manifest")
  [[ -n $line ]] || { say "unknown boot $label"; status=1; continue; }
  read -r _ vmlinuz pkg ver <<<"$line"
  kname=$(basename "$vmlinuz"); kname=${kname#vmlinuz-}
  payload=$logs/bench-payload-$label.sh
  initrd=$logs/bench-initramfs-$label.cpio.gz
  log=$logs/bench-$label.serial.log
  make_payload "${BOOT_TIERS[$label]}" "$payload"
  "$here/build-initramfs.sh" -n -o "$initrd" -p "$payload" -x "$work/bench_helper" "$build" >/dev/null
  say "booting $kname ($label) under TCG ($accel) for tiers ${BOOT_TIERS[$label]}; serial log $log"
  t0=$(date +%s)
  qrc=0
  timeout --kill-after=10 "$boot_timeout" qemu-system-x86_64 -accel "$accel" -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt \
    -m "$mem" -smp 2 -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 quiet panic=-1 ${BOOT_CMDLINE[$label]} ${SW_VMBENCH_APPEND:-}" </dev/null 2>&1 | tr -d '\r' >"$log" || qrc=$?
  say "$kname ($label): $(($(date +%s) - t0)) s wall, clocksource $(sed -n 's/^SOCKWARDEN-VMBENCH-CLOCK //p' "$log")"
  if ! grep -q '^SOCKWARDEN-VMTEST-RESULT rc=0' "$log" || grep -q '^SOCKWARDEN-VMBENCH-ERROR' "$log"; then
    say "$label: the guest did not finish cleanly (qemu exit $qrc):"
    grep -E '^SOCKWARDEN-VMBENCH-ERROR|Kernel panic|RESULT' "$log" | sed 's/^/    /' >&2 || true
    status=1
  fi
  sed -n "s/^SOCKWARDEN-VMBENCH \(.*\)/$label \1/p" "$log" >>"$results"
done

python3 - "$results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) != 7:
        continue
    boot, tier, rnd, mode, w, wall, cpu = f
    if boot.startswith("5.10"):
        tier += "-5.10"  # the 5.10 build on Debian 11's kernel: its own column
    rows.setdefault((tier, w, rnd), {})[mode] = (int(wall), int(cpu))
ratios = {}
for (tier, w, rnd), m in rows.items():
    if "on" in m and "off" in m:
        ratios.setdefault((tier, w, "wall"), []).append(m["on"][0] / m["off"][0])
        ratios.setdefault((tier, w, "cpu"), []).append(m["on"][1] / m["off"][1])
for (tier, w, metric), v in sorted(ratios.items()):
    print(f"vm {tier} {w} {metric} {statistics.median(v):.3f} {min(v):.3f} {max(v):.3f} {len(v)}")
EOF
exit $status
