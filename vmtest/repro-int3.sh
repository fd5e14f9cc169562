#!/usr/bin/env bash
# Whose bug is the int3 oops at unix_stream_sendmsg+0x5 (issue 21)? Boots Debian's 6.12 under
# the same TCG setup as the matrix with a reproducer that has no sockwarden code in it
# (vmtest/repro/: fentry+fexit on unix_stream_sendmsg, attached by a child that is SIGKILLed
# while two processes send on unix sockets), in three emulator modes:
#   mttcg    -accel tcg -smp 2                (the matrix's setting: one host thread per vCPU)
#   single   -accel tcg,thread=single -smp 2  (vCPUs interleaved on one host thread)
#   smp1     -accel tcg -smp 1
# and counts the boots whose serial log shows an oops or panic.
#
#   vmtest/repro-int3.sh [BUILD_DIR]     (root; after scripts/build.sh)
# Env: REPRO_MODES ("mttcg single smp1"), REPRO_BOOTS (boots per mode, 3), REPRO_ITER
#      (attach/kill cycles per boot, 200), REPRO_HOLD_MS (30), SW_VMTEST_BOOT_TIMEOUT (600).
# Output: one line per mode, "mode M: P of B boots panicked (N cycles each)", and the logs.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(realpath -m "${1:-$here/../build}")
modes=${REPRO_MODES:-"mttcg single smp1"}
boots=${REPRO_BOOTS:-3}
iter=${REPRO_ITER:-200}
hold=${REPRO_HOLD_MS:-30}
timeout_s=${SW_VMTEST_BOOT_TIMEOUT:-600}
logs=$build/repro-int3
say() { echo "repro-int3: $*" >&2; }
mkdir -p "$logs"

# Build the reproducer against the project's vmlinux.h (CO-RE) and libbpf.
vmlinux_dir=$build/bpf/vmlinux
[[ -r $vmlinux_dir/vmlinux.h ]] || { say "no $vmlinux_dir/vmlinux.h: run scripts/build.sh first"; exit 1; }
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$vmlinux_dir" -c "$here/repro/int3_repro.bpf.c" -o "$logs/int3_repro.bpf.o" &&
  bpftool gen skeleton "$logs/int3_repro.bpf.o" name int3_repro_bpf >"$logs/int3_repro.skel.h" &&
  cc -O2 -Wall -I"$logs" "$here/repro/int3_repro.c" -o "$logs/int3_repro" -lbpf -lelf -lz || { say "build failed"; exit 1; }

manifest=$("$here/fetch-kernels.sh") || { say "could not fetch the kernels"; exit 1; }
read -r _ vmlinuz _ _ < <(awk '$1 == "6.12"' "$manifest")
[[ -n ${vmlinuz:-} ]] || { say "no 6.12 kernel in $manifest"; exit 1; }

payload=$logs/payload.sh
printf '#!/bin/sh\nint3_repro %s %s\n' "$iter" "$hold" >"$payload"
initrd=$logs/initramfs.cpio.gz
"$here/build-initramfs.sh" -n -o "$initrd" -p "$payload" -x "$logs/int3_repro" "$build" >/dev/null || { say "initramfs failed"; exit 1; }

summary=()
for mode in $modes; do
  case $mode in
    mttcg) accel=(-accel tcg) smp=2 ;;
    single) accel=(-accel tcg,thread=single) smp=2 ;;
    smp1) accel=(-accel tcg) smp=1 ;;
    *) say "unknown mode $mode"; exit 2 ;;
  esac
  panics=0 done_boots=0
  for b in $(seq 1 "$boots"); do
    log=$logs/$mode-$b.serial.log
    timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 "${accel[@]}" -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt \
      -m 1G -smp "$smp" -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" \
      -append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 | tr -d '\r' >"$log"
    if grep -qE 'Kernel panic|Oops: |BUG: |general protection fault' "$log"; then
      panics=$((panics + 1))
      say "$mode boot $b: PANIC: $(grep -m1 -E 'Oops: |BUG: |general protection' "$log") at $(grep -m1 'RIP:' "$log")"
    elif grep -q '^REPRO-DONE' "$log"; then
      done_boots=$((done_boots + 1))
      say "$mode boot $b: survived ($(grep -m1 '^REPRO-DONE' "$log"))"
    else
      say "$mode boot $b: no result (see $log)"
    fi
  done
  summary+=("mode $mode: $panics of $boots boots panicked, $done_boots completed ($iter cycles each, hold ${hold} ms)")
done
printf '%s\n' "${summary[@]}" | tee "$logs/summary.txt"
