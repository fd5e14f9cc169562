#!/usr/bin/env bash
# vmtest matrix: boots Debian's 6.12 and 6.1 cloud kernels under QEMU (TCG) with an
# initramfs holding sockwarden and its integration suite. One row per boot:
#   6.12          BPF LSM active: doctor shows all four tiers LOAD and selects lsm;
#                 suites lsm, socket-tp (forced) and syscall-tp (forced)
#   6.12-nobpflsm booted with lsm= without "bpf": lsm does NOT load, fentry does and is
#                 selected; suite fentry
#   6.1           no socket-layer tracepoints, no cgroup/connect_unix: socket-tp does NOT load,
#                 lsm is selected; suites lsm, fentry (forced) and syscall-tp (forced)
#   5.10          Debian 11's kernel, BPF LSM built in but not active: no task storage, no
#                 bpf_loop, so the 5.10 build of the BPF objects loads; lsm and socket-tp do
#                 NOT load, fentry is selected; suites fentry and syscall-tp (forced)
#   5.10-bpflsm   the same kernel booted with "bpf" in lsm=: lsm is selected; suite lsm
# The host kernel's tiers (socket-tp, syscall-tp) run in the host's own ctest run.
# Each suite runs the integration binary with SW_TEST_TIERS=<tier> and a gtest filter on
# that tier's test names (capture, CLI, container layouts, enforcement).
#
#   vmtest/run.sh [BUILD_DIR]          (root; BUILD_DIR defaults to <repo>/build)
#   SW_VMTEST_ARCH=arm64 vmtest/run.sh [BUILD_DIR]
#       Debian's arm64 cloud kernels (6.12, 6.12-nobpflsm, 6.1) under qemu-system-aarch64 (TCG,
#       -machine virt -cpu max) with an arm64 initramfs (build-initramfs.sh -a arm64) of the
#       cross-built agent (BUILD_DIR defaults to <repo>/build-arm64: scripts/build.sh --target
#       arm64 --tests). Per boot: doctor (same expectations as x86), then the cross-built
#       integration suite: capture, CLI, evasion and enforcement for the tier the boot selects,
#       capture for the tiers it forces (SW_VMTEST_ARM64_FULL=1: every suite, as on x86).
#
# Environment:
#   SW_VMTEST_LOGS          log directory (default BUILD_DIR/vmtest-logs)
#   SW_VMTEST_BOOTS         boots to run (default "5.10 6.1 6.12-nobpflsm 6.12 5.10-bpflsm")
#   SW_VMTEST_JOBS          boots run side by side (default: nproc under thread=single, else 1)
#   SW_VMTEST_SUITES        run only these suites of each boot (names as in SUITES below, e.g.
#                           "fentry"; "none": doctor only); default all
#   SW_VMTEST_BOOT_TIMEOUT  seconds per VM boot, tests included (default 1800: thread=single TCG)
#   SW_VMTEST_MEM           guest memory (default 1G)
#   SW_VMTEST_BOOT_RETRIES  reboots of a guest that died before /init (default 2)
#   SW_VMTEST_GTEST_EXCLUDE extra gtest negative patterns, ':'-separated (always excluded:
#                           *HostileTrust*, see below)
#   SW_VMTEST_CACHE         kernel cache (see fetch-kernels.sh)
#   SW_VMTEST_VERBOSE=1     also stream the serial consoles to stderr
#   SW_VMTEST_ACCEL         QEMU -accel value (default tcg,thread=single: see the int3 note)
#
# Serial logs: LOGS/<kernel>.serial.log. The last line printed is "N passed, N failed"
# (kernel x suite runs); the exit code is non-zero on any failure, 77 if QEMU/busybox/cpio
# are missing (scripts/setup.sh --test installs them).
set -uo pipefail
set -f # gtest filters are globs: never expand them here

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
arch=${SW_VMTEST_ARCH:-amd64}
case $arch in
  amd64)
    build=$(realpath -m "${1:-$here/../build}")
    # Two at a time (jobs below), each next boot taking the first free slot. This order pairs the
    # longest boot (5.10, ~490 s) with 6.1 then 6.12-nobpflsm (~380 + ~300 s) while the other slot
    # runs 6.12 then 5.10-bpflsm: ~990 s for the five, where longest-first left one slot idle
    # for ~300 s at the end (vmtest/README.md, "What runs on every boot").
    boots=${SW_VMTEST_BOOTS:-"5.10 6.1 6.12-nobpflsm 6.12 5.10-bpflsm"}
    ;;
  arm64)
    build=$(realpath -m "${1:-$here/../build-arm64}")
    boots=${SW_VMTEST_BOOTS:-"6.12 6.1 6.12-nobpflsm"}
    ;;
  *) echo "vmtest: SW_VMTEST_ARCH must be amd64 or arm64" >&2; exit 2 ;;
esac
export SW_VMTEST_ARCH=$arch # fetch-kernels.sh
logs=$(realpath -m "${SW_VMTEST_LOGS:-$build/vmtest-logs}")
only_suites=${SW_VMTEST_SUITES:-}
boot_timeout=${SW_VMTEST_BOOT_TIMEOUT:-1800}
mem=${SW_VMTEST_MEM:-1G}
boot_retries=${SW_VMTEST_BOOT_RETRIES:-2}
# HostileTrust*: the forgery tests copy /usr/bin/curl as a container's "runc" and a
# non-multicall binary as a fake "dockerd"; the busybox guest has neither. What they check is
# userspace trust (which inodes and cgroups the policy compiler and classifier accept), the same
# code on every tier; the host's socket-tp/syscall-tp runs cover them, and the guests' Enforce.*
# tests cover each tier's BPF deny path.
exclude=${SW_VMTEST_GTEST_EXCLUDE:-}
exclude="*HostileTrust*${exclude:+:$exclude}"
accel=${SW_VMTEST_ACCEL:-tcg,thread=single}
# Boots at a time: one per host CPU under thread=single (one TCG thread per guest), else one.
if [[ -n ${SW_VMTEST_JOBS:-} ]]; then
  jobs=$SW_VMTEST_JOBS
elif [[ $accel == *thread=single* && ${SW_VMTEST_VERBOSE:-} != 1 ]]; then
  jobs=$(nproc)
else
  jobs=1
fi
((jobs >= 1)) || jobs=1

say() { echo "vmtest: $*" >&2; }

if [[ $EUID -ne 0 ]]; then
  say "must run as root (apt-get download into the kernel cache)"
  exit 77
fi
if [[ $arch == arm64 ]]; then
  tools=(qemu-system-aarch64 cpio timeout)
  need=("$build/tests/sockwarden_integration_tests" "$build/userspace/sockwarden")
else
  tools=(qemu-system-x86_64 busybox cpio timeout)
  need=("$build/tests/sockwarden_integration_tests" "$build/userspace/sockwarden")
fi
for t in "${tools[@]}"; do
  command -v $t >/dev/null || {
    say "$t missing (run scripts/setup.sh --test${arch/amd64/}${arch/arm64/ --target arm64})"
    exit 77
  }
done
for f in "${need[@]}"; do
  [[ -x $f ]] || {
    say "missing $f: build first (cmake -S . -B $build && make -C $build)"
    exit 1
  }
done

mkdir -p "$logs"
shared_manifest=$("$here/fetch-kernels.sh") || {
  say "could not fetch the kernels (see above)"
  exit 1
}
# A private copy: the cache's manifest is rewritten by any other run of fetch-kernels.sh (seen:
# a concurrent run of an older checkout dropped 5.10 from it while this matrix was on 6.1).
manifest=$logs/kernels.manifest
cp "$shared_manifest" "$manifest"

# Each boot: the kernel (fetch-kernels.sh label), extra kernel command line, what doctor must
# show ("tier=LOADS|no ... selected=TIER"), whether the socket-layer hooks are in BTF, and the
# suites ("name=TIER=gtest filter"; the global exclusions are added).
declare -A BOOT_KERNEL=([6.12]=6.12 [6.12-nobpflsm]=6.12 [6.1]=6.1 [5.10]=5.10 [5.10-bpflsm]=5.10)
# Debian's default LSM order without "bpf": the BPF LSM is built in but inactive. Debian 11's
# 5.10 is the other way round: "bpf" is not in its default list, so 5.10-bpflsm adds it.
declare -A BOOT_CMDLINE=([6.12]="" [6.12-nobpflsm]="lsm=landlock,lockdown,yama,integrity,apparmor" [6.1]=""
  [5.10]="" [5.10-bpflsm]="lsm=lockdown,yama,integrity,apparmor,bpf")
# build=: the "BPF build:" line (current, or 5.10 where task storage / bpf_loop are missing).
declare -A DOCTOR_EXPECT=(
  [6.12]="lsm=LOADS fentry=LOADS socket-tp=LOADS syscall-tp=LOADS selected=lsm build=current"
  [6.12-nobpflsm]="lsm=no fentry=LOADS socket-tp=LOADS syscall-tp=LOADS selected=fentry build=current"
  [6.1]="lsm=LOADS fentry=LOADS socket-tp=no syscall-tp=LOADS selected=lsm build=current"
  [5.10]="lsm=no fentry=LOADS socket-tp=no syscall-tp=LOADS selected=fentry build=5.10"
  [5.10-bpflsm]="lsm=LOADS fentry=LOADS socket-tp=no syscall-tp=LOADS selected=lsm build=5.10"
)
declare -A HOOKS_EXPECT=([6.12]=1 [6.12-nobpflsm]=1 [6.1]=0 [5.10]=0 [5.10-bpflsm]=0)
declare -A SUITES=(
  [6.12]="lsm=lsm=*/lsm socket-tp=socket-tp=*/socket_tp syscall-tp=syscall-tp=*/syscall_tp:Enforce.*"
  [6.12-nobpflsm]="fentry=fentry=*/fentry"
  [6.1]="lsm=lsm=*/lsm fentry=fentry=*/fentry syscall-tp=syscall-tp=*/syscall_tp:Enforce.*"
  [5.10]="fentry=fentry=*/fentry syscall-tp=syscall-tp=*/syscall_tp:Enforce.*"
  [5.10-bpflsm]="lsm=lsm=*/lsm"
)
# CI time (vmtest/README.md, "What runs on every boot"): the tier a boot selects runs whole. A
# tier a boot only forces, and that another boot or the host runs whole, runs the suites whose
# outcome depends on the kernel: capture (the structures it reads, CO-RE), evasion (the kernel
# paths a caller can take around a hook) and enforcement (the deny path). The other suites
# (CLI, flood, hostile input and memory, lifecycle, layouts, request effects) drive the same
# userspace on every kernel and the same BPF code the capture suite runs.
#   6.12: lsm whole; socket-tp forced (whole on the host, 6.18); syscall-tp forced.
#   6.1:  lsm whole; fentry forced (whole on 5.10 and 6.12-nobpflsm); syscall-tp forced.
#   syscall-tp cannot deny: its forced set is capture and Enforce.* (the refusal). 5.10 runs it
#   whole with its own build.
# SW_VMTEST_FULL=1: every suite of every boot whole.
if [[ -z ${SW_VMTEST_FULL:-} ]]; then
  forced() { local t=$1; echo "*CaptureTest*/$t:*EvasionTest*/$t:*EnforceTest*/$t"; }
  SUITES[6.12]="lsm=lsm=*/lsm socket-tp=socket-tp=$(forced socket_tp) syscall-tp=syscall-tp=*CaptureTest*/syscall_tp:Enforce.*"
  SUITES[6.1]="lsm=lsm=*/lsm fentry=fentry=$(forced fentry) syscall-tp=syscall-tp=*CaptureTest*/syscall_tp:Enforce.*"
fi
# arm64 6.1: no BPF trampoline can attach to a kernel function. arm64 got BPF trampolines in 6.0
# but the ftrace direct calls they attach through only in 6.4, so before that lsm and fentry
# programs verify and load, and their attach fails with ENOTSUPP (errno 524); doctor's trial
# attach says so and the agent selects syscall-tp (docs/arm64.md). 5.10-6.3 arm64 kernels are
# the same: syscall-tp, and socket-tp from 6.7.
if [[ $arch == arm64 ]]; then
  DOCTOR_EXPECT[6.1]="lsm=no fentry=no socket-tp=no syscall-tp=LOADS selected=syscall-tp build=current"
  SUITES[6.1]="syscall-tp=syscall-tp=*/syscall_tp:Enforce.*"
fi
# arm64 in CI (TCG emulates arm64 several times slower than x86; vmtest/README.md "arm64"): the
# tier each boot selects runs its capture, CLI, evasion and enforcement suites; a tier a boot
# only forces runs the capture suite, which holds what is arch-specific there (syscall numbers
# and pt_regs in syscall-tp, the caller's registers in socket-tp). SW_VMTEST_ARM64_FULL=1 runs
# every tier's whole suite instead, as on x86.
if [[ $arch == arm64 && -z ${SW_VMTEST_ARM64_FULL:-} ]]; then
  a64() { local t=$1; echo "*CaptureTest*/$t:*CliTest*/$t:*EvasionTest*/$t:*EnforceTest*/$t"; }
  SUITES=(
    [6.12]="lsm=lsm=$(a64 lsm) socket-tp=socket-tp=*CaptureTest*/socket_tp syscall-tp=syscall-tp=*CaptureTest*/syscall_tp:Enforce.*"
    [6.12-nobpflsm]="fentry=fentry=$(a64 fentry)"
    [6.1]="syscall-tp=syscall-tp=$(a64 syscall_tp):Enforce.*"
  )
fi
# SW_VMTEST_SUITES: keep only the named suites (doctor always runs).
suite_wanted() { [[ -z $only_suites ]] || [[ " $only_suites " == *" $1 "* ]]; }

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
# A failing doctor: again with -v, so that the serial log holds libbpf's verifier log.
[ $overall -eq 0 ] || suite doctor-verbose sockwarden -v doctor
EOF
    for spec in ${SUITES[$label]}; do
      name=${spec%%=*}
      suite_wanted "$name" || continue
      rest=${spec#*=}
      tier=${rest%%=*}
      filter=${rest#*=}
      if [[ -n $exclude ]]; then
        if [[ $filter == *-* ]]; then filter="$filter:$exclude"; else filter="$filter-$exclude"; fi
      fi
      echo "suite $name env SW_TEST_TIERS=$tier sockwarden_integration_tests --gtest_color=no '--gtest_filter=$filter'"
    done
    echo 'exit $overall'
  } >"$out"
}

# Lines between the BEGIN and END markers of one suite.
segment() { awk -v s="$2" '$0 ~ "^SOCKWARDEN-VMTEST-BEGIN suite="s"$" {p=1; next}
                          $0 ~ "^SOCKWARDEN-VMTEST-END suite="s" " {p=0} p' "$1"; }
end_field() { sed -n "s/^SOCKWARDEN-VMTEST-END suite=$2 .*$3=\([0-9.]*\).*/\1/p" "$1" | head -1; }

# One boot's results go to files under $logs (its rows, wall time, retries, report), so that
# boots can run side by side and the table is still printed in the order of $boots.
row() { # kernel suite expect result passed failed secs (in run_boot: $label is the boot)
  printf '%-28s %-11s %-44s %-6s %6s %6s %7s\n' "$@" >>"$logs/$label.rows"
}

# Builds one boot's initramfs, boots it, and checks doctor and each suite. Its stderr is the
# boot's report.
run_boot() {
  local label=$1
  rm -f "$logs/$label.rows" "$logs/$label.wall" "$logs/$label.retried"
  line=$(awk -v l="${BOOT_KERNEL[$label]:-none}" '$1 == l' "$manifest")
  if [[ -z $line || -z ${DOCTOR_EXPECT[$label]:-} ]]; then
    say "unknown boot $label (boots: ${!BOOT_KERNEL[*]}; kernels: $(awk '{printf "%s ", $1}' "$manifest"))"
    row "$label" all "-" FAIL - - -
    return
  fi
  read -r _ vmlinuz pkg ver <<<"$line"
  kname=$(basename "$vmlinuz")
  kname=${kname#vmlinuz-}
  kname_raw=$kname
  [[ $label == *-* ]] && kname="$kname (${label#*-})"
  payload=$logs/payload-$label.sh
  initrd=$logs/initramfs-$label.cpio.gz
  log=$logs/$label.serial.log
  raw=$logs/$label.serial.raw
  make_payload "$label" "$payload"
  # unix_diag is a module in Debian's cloud kernels: the existing-connection snapshot needs it.
  mods=()
  for m in "$(dirname "$vmlinuz")/../lib/modules/$kname_raw/kernel/net/unix/unix_diag.ko"{,.xz}; do
    [[ -r $m ]] && mods+=(-m "$m")
  done
  initramfs_args=()
  [[ $arch == arm64 ]] && initramfs_args=(-a arm64)
  if ! "$here/build-initramfs.sh" -o "$initrd" "${initramfs_args[@]}" -p "$payload" "${mods[@]}" "$build" >/dev/null; then
    row "$kname" initramfs "-" FAIL - - -
    return
  fi

  # -accel tcg,thread=single: multi-threaded TCG does not keep other vCPUs' translated code
  # coherent with the kernel's text_poke_bp, so attaching or detaching a BPF trampoline while
  # another vCPU runs the patched function takes an "Oops: int3" (vmtest/repro-int3.sh shows
  # it without sockwarden; see vmtest/README.md). One host thread for both vCPUs does not hit it.
  if [[ $arch == arm64 ]]; then
    # -cpu max: every arm64 feature TCG has (PLATFORM.md: boots Debian's arm64 cloud kernels);
    # pauth-impdef: TCG's cheap pointer-authentication algorithm instead of QARMA (measured
    # faster, and the guest cannot tell).
    qemu=(qemu-system-aarch64 -machine virt -accel "$accel" -cpu max,pauth-impdef=on -m "$mem" -smp 2
      -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyAMA0 quiet panic=-1 ${BOOT_CMDLINE[$label]}")
  else
    qemu=(qemu-system-x86_64 -accel "$accel" -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt -m "$mem" -smp 2
      -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1 ${BOOT_CMDLINE[$label]}")
  fi
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
    echo "$attempt" >"$logs/$label.retried"
  done
  echo "$wall" >"$logs/$label.wall"
  note=""
  ((qrc == 124 || qrc == 137)) && note=" (TIMEOUT after ${boot_timeout}s)"
  # A guest kernel that oopses or panics is reported as that, with the test that was running and
  # the Oops lines, never as a VM that merely "did not finish".
  panic_at=$(grep -n -m1 -E 'Kernel panic|Oops: |BUG: |general protection fault|kernel BUG at' "$log" | cut -d: -f1)
  if [[ -n $panic_at ]]; then
    p_suite=$(head -n "$panic_at" "$log" | sed -n 's/^SOCKWARDEN-VMTEST-BEGIN suite=//p' | tail -1)
    p_test=$(head -n "$panic_at" "$log" | sed -n 's/^\[ RUN      \] //p' | tail -1)
    note="$note (KERNEL PANIC in suite ${p_suite:-before the suites}, test ${p_test:-none})"
    say "$kname: KERNEL PANIC while running suite ${p_suite:-none}, test ${p_test:-none}; from the serial log:"
    tail -n +"$panic_at" "$log" | grep -E 'Oops|RIP:|Kernel panic|BUG|Call Trace|Comm:|[a-z_0-9.]+\+0x[0-9a-f]+/0x' |
      head -30 | sed 's/^/    | /' >&2
    row "$kname" panic "${p_suite:-?}: ${p_test:-?}" FAIL - - -
  elif ! grep -q '^SOCKWARDEN-VMTEST-RESULT rc=' "$log"; then
    note="$note (no result line: VM did not finish)"
  fi
  say "$kname: qemu exit $qrc, ${wall}s wall$note"

  # doctor
  d=$(segment "$log" doctor)
  drc=$(end_field "$log" doctor rc)
  dsecs=$(end_field "$log" doctor secs)
  hooks=$(sed -n 's/^SOCKWARDEN-VMTEST-FACT socket_hooks_in_btf=\([0-9]*\).*/\1/p' "$log" | head -1)
  why=()
  [[ $drc == 0 ]] || why+=("doctor rc=${drc:-none}")
  for want in ${DOCTOR_EXPECT[$label]}; do
    t=${want%%=*}
    v=${want#*=}
    if [[ $t == selected ]]; then
      grep -qx "selected tier: $v" <<<"$d" || why+=("selected tier not $v")
    elif [[ $t == build ]]; then
      grep -qE "^BPF build: +$v( |$)" <<<"$d" || why+=("BPF build not $v")
    else
      grep -qE "^  $t: $v " <<<"$d" || why+=("$t not '$v'")
    fi
  done
  if [[ ${HOOKS_EXPECT[$label]} == 1 ]]; then
    [[ ${hooks:-0} -eq 3 ]] || why+=("socket hooks missing from BTF (${hooks:-?}/3)")
  else
    [[ ${hooks:-x} == 0 ]] || why+=("expected no socket hooks in BTF, found ${hooks:-?}")
  fi
  expect=$(sed 's/=LOADS/+/g; s/=no/-/g; s/selected=/-> /' <<<"${DOCTOR_EXPECT[$label]}")
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
    suite_wanted "$name" || continue
    filter=${spec#*=}
    filter=${filter#*=}
    s=$(segment "$log" "$name")
    src=$(end_field "$log" "$name" rc)
    ssecs=$(end_field "$log" "$name" secs)
    desc="gtest $filter"
    passed=$(grep -cE '^\[       OK \] ' <<<"$s")
    failed=$(grep -cE '^\[  FAILED  \] .* \([0-9]+ ms\)$' <<<"$s")
    if [[ $src == 0 && $failed -eq 0 && $passed -gt 0 ]]; then
      row "$kname" "$name" "$desc" PASS "$passed" "$failed" "${ssecs:--}"
    else
      row "$kname" "$name" "$desc" FAIL "$passed" "$failed" "${ssecs:--}"
      say "$kname $name: rc=${src:-none}, $passed passed, $failed failed"
      grep -E '^\[  FAILED  \] .* \([0-9]+ ms\)$' <<<"$s" | sed 's/^/    /' >&2
      grep -A3 ': Failure$' <<<"$s" | head -40 | sed 's/^/    | /' >&2
    fi
  done
}

# Boots run side by side, $jobs at a time: under thread=single TCG one guest keeps one host
# CPU busy, so on the 2-CPU CI machine two boots halve the matrix's wall time without giving
# any guest less CPU than it has alone. Each boot's report is printed when it ends.
declare -A PID_OF
running=0
report() {
  local label=$1
  say "---- $label done; its report:"
  [[ -s $logs/$label.report ]] && cat "$logs/$label.report" >&2
}
for label in $boots; do
  if ((running >= jobs)); then
    wait -n -p done_pid
    for l in "${!PID_OF[@]}"; do [[ ${PID_OF[$l]} == "$done_pid" ]] && { report "$l"; unset "PID_OF[$l]"; }; done
    running=$((running - 1))
  fi
  say "starting boot $label"
  run_boot "$label" 2>"$logs/$label.report" &
  PID_OF[$label]=$!
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n -p done_pid
  for l in "${!PID_OF[@]}"; do [[ ${PID_OF[$l]} == "$done_pid" ]] && { report "$l"; unset "PID_OF[$l]"; }; done
  running=$((running - 1))
done

npass=0
nfail=0
{
  echo
  echo "vmtest matrix ($arch, QEMU -accel $accel, -smp 2 -m $mem, $jobs boot(s) at a time; logs in $logs)"
  printf '%-28s %-11s %-44s %-6s %6s %6s %7s\n' KERNEL SUITE EXPECT RESULT PASSED FAILED SECS
  for label in $boots; do
    if [[ -s $logs/$label.rows ]]; then
      cat "$logs/$label.rows"
    else
      printf '%-28s %-11s %-44s %-6s %6s %6s %7s\n' "$label" all "-" FAIL - - - # the boot's runner died
    fi
  done
  for label in $boots; do
    [[ -s $logs/$label.wall ]] && echo "wall time $label (boot + all suites): $(cat "$logs/$label.wall") s"
    [[ -s $logs/$label.retried ]] && echo "note $label: $(cat "$logs/$label.retried") boot(s) died before /init and were retried"
  done
} | tee "$logs/matrix.txt"
for label in $boots; do
  if [[ -s $logs/$label.rows ]]; then
    npass=$((npass + $(awk '$0 ~ / PASS / {n++} END {print n+0}' "$logs/$label.rows")))
    nfail=$((nfail + $(awk '$0 !~ / PASS / {n++} END {print n+0}' "$logs/$label.rows")))
  else
    nfail=$((nfail + 1))
  fi
done
echo "$npass passed, $nfail failed" | tee -a "$logs/matrix.txt"
((nfail == 0))
