#!/usr/bin/env bash
# vmtest matrix: boots Debian's 6.12 and 6.1 cloud kernels under QEMU (TCG) with an
# initramfs holding sockwarden and its integration suite, and checks per kernel:
#   6.12  doctor: socket-tp and syscall-tp LOAD, selected tier socket-tp, and the
#         socket-layer hooks are in the kernel's BTF;
#         integration suite *socket_tp* and *syscall_tp* pass.
#   6.1   doctor: socket-tp does NOT load (its hooks are absent from the kernel's BTF),
#         syscall-tp LOADS, selected tier syscall-tp;
#         integration suite *syscall_tp* passes (Cli.* excluded: Cli.ExitCodes expects
#         doctor to select socket-tp).
#
#   vmtest/run.sh [BUILD_DIR]          (root; BUILD_DIR defaults to <repo>/build)
#
# Environment:
#   SW_VMTEST_LOGS          log directory (default BUILD_DIR/vmtest-logs)
#   SW_VMTEST_KERNELS       kernel labels to run (default "6.12 6.1")
#   SW_VMTEST_BOOT_TIMEOUT  seconds per VM boot, tests included (default 600)
#   SW_VMTEST_MEM           guest memory (default 1G)
#   SW_VMTEST_BOOT_RETRIES  reboots of a guest that died before /init (default 2)
#   SW_VMTEST_GTEST_EXCLUDE extra gtest negative patterns, ':'-separated (default none)
#   SW_VMTEST_CACHE         kernel cache (see fetch-kernels.sh)
#   SW_VMTEST_VERBOSE=1     also stream the serial consoles to stderr
#
# Serial logs: LOGS/<kernel>.serial.log. The last line printed is "N passed, N failed"
# (kernel x suite runs); the exit code is non-zero on any failure, 77 if QEMU/busybox/cpio
# are missing (scripts/setup.sh installs them).
set -uo pipefail
set -f # gtest filters are globs: never expand them here

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(realpath -m "${1:-$here/../build}")
logs=$(realpath -m "${SW_VMTEST_LOGS:-$build/vmtest-logs}")
kernels=${SW_VMTEST_KERNELS:-"6.12 6.1"}
boot_timeout=${SW_VMTEST_BOOT_TIMEOUT:-600}
mem=${SW_VMTEST_MEM:-1G}
boot_retries=${SW_VMTEST_BOOT_RETRIES:-2}
exclude=${SW_VMTEST_GTEST_EXCLUDE:-}

say() { echo "vmtest: $*" >&2; }

if [[ $EUID -ne 0 ]]; then
  say "must run as root (apt-get download into the kernel cache)"
  exit 77
fi
for t in qemu-system-x86_64 busybox cpio timeout; do
  command -v $t >/dev/null || {
    say "$t missing (run scripts/setup.sh)"
    exit 77
  }
done
for f in "$build/tests/sockwarden_integration_tests" "$build/userspace/sockwarden"; do
  [[ -x $f ]] || {
    say "missing $f: build first (cmake -S . -B $build && make -C $build)"
    exit 1
  }
done

mkdir -p "$logs"
manifest=$("$here/fetch-kernels.sh") || {
  say "could not fetch the kernels (see above)"
  exit 1
}

# What each kernel must show. doctor_expect: "<socket-tp LOADS|no> <syscall-tp ...> <selected>
# <socket hooks in BTF: 1|0>"; suites: "label=gtest filter" (the global exclusions are added).
declare -A DOCTOR_EXPECT=(
  [6.12]="LOADS LOADS socket-tp 1"
  [6.1]="no LOADS syscall-tp 0"
)
declare -A SUITES=(
  [6.12]="socket-tp=*socket_tp* syscall-tp=*syscall_tp*"
  [6.1]="syscall-tp=*syscall_tp*-Cli.*"
)

# Payload run inside the VM: markers around each suite, the exit code of each.
make_payload() {
  local label=$1 out=$2 spec name filter
  {
    cat <<'EOF'
#!/bin/sh
overall=0
now() { cut -d' ' -f1 /proc/uptime; }
suite() {
  name=$1; shift
  echo "SOCKWARDEN-VMTEST-BEGIN suite=$name"
  t0=$(now)
  "$@"
  rc=$?
  echo "SOCKWARDEN-VMTEST-END suite=$name rc=$rc secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')"
  [ $rc -eq 0 ] || overall=1
}
# The socket-layer hooks socket-tp needs, as the kernel's BTF names them.
hooks=$(tr '\0' '\n' </sys/kernel/btf/vmlinux | grep -cxE 'btf_trace_sk_data_ready|btf_trace_sock_send_length|BPF_CGROUP_UNIX_CONNECT')
echo "SOCKWARDEN-VMTEST-FACT socket_hooks_in_btf=$hooks"
suite doctor sockwarden doctor
EOF
    for spec in ${SUITES[$label]}; do
      name=${spec%%=*}
      filter=${spec#*=}
      if [[ -n $exclude ]]; then
        if [[ $filter == *-* ]]; then filter="$filter:$exclude"; else filter="$filter-$exclude"; fi
      fi
      echo "suite $name sockwarden_integration_tests --gtest_color=no '--gtest_filter=$filter'"
    done
    echo 'exit $overall'
  } >"$out"
}

# Lines between the BEGIN and END markers of one suite.
segment() { awk -v s="$2" '$0 ~ "^SOCKWARDEN-VMTEST-BEGIN suite="s"$" {p=1; next}
                          $0 ~ "^SOCKWARDEN-VMTEST-END suite="s" " {p=0} p' "$1"; }
end_field() { sed -n "s/^SOCKWARDEN-VMTEST-END suite=$2 .*$3=\([0-9.]*\).*/\1/p" "$1" | head -1; }

rows=()
npass=0
nfail=0
declare -A WALL RETRIED
row() { # kernel suite expect result passed failed secs
  rows+=("$(printf '%-28s %-11s %-44s %-6s %6s %6s %7s' "$@")")
  if [[ $4 == PASS ]]; then npass=$((npass + 1)); else nfail=$((nfail + 1)); fi
}

for label in $kernels; do
  line=$(awk -v l="$label" '$1 == l' "$manifest")
  if [[ -z $line || -z ${DOCTOR_EXPECT[$label]:-} ]]; then
    say "unknown kernel label $label (have: $(awk '{printf "%s ", $1}' "$manifest"))"
    row "$label" all "-" FAIL - - -
    continue
  fi
  read -r _ vmlinuz pkg ver <<<"$line"
  kname=$(basename "$vmlinuz")
  kname=${kname#vmlinuz-}
  payload=$logs/payload-$label.sh
  initrd=$logs/initramfs-$label.cpio.gz
  log=$logs/$label.serial.log
  raw=$logs/$label.serial.raw
  make_payload "$label" "$payload"
  if ! "$here/build-initramfs.sh" -o "$initrd" -p "$payload" "$build" >/dev/null; then
    row "$kname" initramfs "-" FAIL - - -
    continue
  fi

  qemu=(qemu-system-x86_64 -accel tcg -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt -m "$mem" -smp 2
    -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1")
  # A guest that dies before /init (seen: rare early-boot oopses under TCG, in the kernel's
  # own initcalls, before any sockwarden code runs) is booted again; anything after /init
  # started counts as it is.
  attempt=0
  while :; do
    attempt=$((attempt + 1))
    say "booting $kname ($pkg $ver) under TCG, attempt $attempt, timeout ${boot_timeout}s; serial log $log"
    t0=$(date +%s.%N)
    if [[ ${SW_VMTEST_VERBOSE:-} == 1 ]]; then
      timeout --kill-after=10 "$boot_timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$raw" >&2
      qrc=${PIPESTATUS[0]}
    else
      timeout --kill-after=10 "$boot_timeout" "${qemu[@]}" </dev/null >"$raw" 2>&1
      qrc=$?
    fi
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", b-a}')
    tr -d '\r' <"$raw" >"$log" && rm -f "$raw"
    grep -q 'SOCKWARDEN-VMTEST-BOOTED ' "$log" && break
    ((attempt > boot_retries || qrc == 124 || qrc == 137)) && break # a hang is not retried
    cp "$log" "$logs/$label.serial.boot-failure-$attempt.log"
    say "$kname died before /init (qemu exit $qrc): $(grep -m1 -E 'Kernel panic|Oops|BUG:' "$log" || echo 'no panic line')"
    RETRIED[$label]=$((${RETRIED[$label]:-0} + 1))
  done
  WALL[$label]=$wall
  note=""
  ((qrc == 124 || qrc == 137)) && note=" (TIMEOUT after ${boot_timeout}s)"
  grep -q '^SOCKWARDEN-VMTEST-RESULT rc=' "$log" || note="$note (no result line: VM did not finish)"
  say "$kname: qemu exit $qrc, ${wall}s wall$note"

  # doctor
  read -r want_sock want_sys want_sel want_hooks <<<"${DOCTOR_EXPECT[$label]}"
  d=$(segment "$log" doctor)
  drc=$(end_field "$log" doctor rc)
  dsecs=$(end_field "$log" doctor secs)
  hooks=$(sed -n 's/^SOCKWARDEN-VMTEST-FACT socket_hooks_in_btf=\([0-9]*\).*/\1/p' "$log" | head -1)
  why=()
  [[ $drc == 0 ]] || why+=("doctor rc=${drc:-none}")
  grep -qE "^  socket-tp: $want_sock " <<<"$d" || why+=("socket-tp not '$want_sock'")
  grep -qE "^  syscall-tp: $want_sys " <<<"$d" || why+=("syscall-tp not '$want_sys'")
  grep -qx "selected tier: $want_sel" <<<"$d" || why+=("selected tier not $want_sel")
  if [[ $want_hooks == 1 ]]; then
    [[ ${hooks:-0} -eq 3 ]] || why+=("socket hooks missing from BTF (${hooks:-?}/3)")
  else
    [[ ${hooks:-x} == 0 ]] || why+=("expected no socket hooks in BTF, found ${hooks:-?}")
  fi
  if [[ $want_sock == LOADS ]]; then expect="socket-tp+syscall-tp load, selects socket-tp"; else
    expect="socket-tp unavailable, selects syscall-tp"; fi
  if ((${#why[@]} == 0)); then
    row "$kname" doctor "$expect" PASS - - "${dsecs:--}"
  else
    row "$kname" doctor "$expect" FAIL - - "${dsecs:--}"
    say "$kname doctor: $(IFS=';'; echo "${why[*]}")"
    [[ -n $d ]] && sed 's/^/    | /' <<<"$d" >&2
  fi

  # integration suites
  for spec in ${SUITES[$label]}; do
    name=${spec%%=*}
    filter=${spec#*=}
    s=$(segment "$log" "$name")
    src=$(end_field "$log" "$name" rc)
    ssecs=$(end_field "$log" "$name" secs)
    passed=$(grep -cE '^\[       OK \] ' <<<"$s")
    failed=$(grep -cE '^\[  FAILED  \] .* \([0-9]+ ms\)$' <<<"$s")
    if [[ $src == 0 && $failed -eq 0 && $passed -gt 0 ]]; then
      row "$kname" "$name" "gtest $filter" PASS "$passed" "$failed" "${ssecs:--}"
    else
      row "$kname" "$name" "gtest $filter" FAIL "$passed" "$failed" "${ssecs:--}"
      say "$kname $name: rc=${src:-none}, $passed passed, $failed failed"
      grep -E '^\[  FAILED  \] .* \([0-9]+ ms\)$' <<<"$s" | sed 's/^/    /' >&2
      grep -A3 ': Failure$' <<<"$s" | head -40 | sed 's/^/    | /' >&2
    fi
  done
done

{
  echo
  echo "vmtest matrix (QEMU TCG, -smp 2 -m $mem; logs in $logs)"
  printf '%-28s %-11s %-44s %-6s %6s %6s %7s\n' KERNEL SUITE EXPECT RESULT PASSED FAILED SECS
  printf '%s\n' "${rows[@]}"
  for label in $kernels; do
    [[ -n ${WALL[$label]:-} ]] && echo "wall time $label (boot + all suites): ${WALL[$label]} s"
    [[ -n ${RETRIED[$label]:-} ]] && echo "note $label: ${RETRIED[$label]} boot(s) died before /init and were retried"
  done
  echo "$npass passed, $nfail failed"
} | tee "$logs/matrix.txt"
((nfail == 0))
