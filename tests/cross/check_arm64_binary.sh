#!/usr/bin/env bash
# Is BINARY an arm64 sockwarden whose embedded BPF objects were built for arm64, and does every
# library it needs exist in Debian's arm64 packages (the sysroot it was linked against)?
#   check_arm64_binary.sh BINARY [SYSROOT]
# Checks: ELF class/machine (AArch64), the arm64 loader as interpreter, each tier's BPF program
# sections embedded (libbpf skeletons), the embedded objects' BTF carrying arm64's pt_regs
# (syscallno, the field bpf/syscall_arch.bpf.h reads) and not x86's (orig_ax), every DT_NEEDED
# present in the sysroot. Prints one "ok:" line per check; exits 1 at the first failure.
set -euo pipefail
bin=${1:?usage: check_arm64_binary.sh BINARY [SYSROOT]}
sysroot=${2:-${SW_SYSROOT:-/var/cache/sockwarden-cross/arm64/sysroot}}
fail() { echo "FAIL: $*"; exit 1; }
readelf=$(command -v aarch64-linux-gnu-readelf || command -v readelf) || fail "readelf missing (binutils)"
[[ -f $bin ]] || fail "$bin not built"
hdr=$("$readelf" -h "$bin")
grep -q 'Class:.*ELF64' <<<"$hdr" || fail "$bin is not ELF64: $hdr"
grep -q 'Machine:.*AArch64' <<<"$hdr" || fail "$bin is not an AArch64 binary: $(grep Machine <<<"$hdr")"
echo "ok: ELF64 AArch64 ($(file -b "$bin" | cut -d, -f1-2))"
interp=$("$readelf" -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[[ $interp == /lib/ld-linux-aarch64.so.1 ]] || fail "interpreter is '$interp', not /lib/ld-linux-aarch64.so.1"
echo "ok: interpreter $interp"
for sec in tp_btf/sk_data_ready cgroup/connect_unix tp_btf/sys_enter lsm/unix_stream_connect fentry/security_socket_sendmsg; do
  grep -qaF "$sec" "$bin" || fail "$bin does not embed BPF section $sec"
done
echo "ok: BPF program sections of every tier embedded"
grep -qaw syscallno "$bin" || fail "embedded BPF objects lack arm64's pt_regs.syscallno: built against a non-arm64 vmlinux.h?"
if grep -qaw orig_ax "$bin"; then fail "embedded BPF objects carry x86's pt_regs.orig_ax: built for x86"; fi
echo "ok: embedded BPF BTF has arm64 pt_regs (syscallno), no x86 orig_ax"
[[ -d $sysroot ]] || fail "sysroot $sysroot missing: run scripts/setup.sh --target arm64"
while read -r lib; do
  found=
  for d in usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu; do
    [[ -e $sysroot/$d/$lib ]] && found=$d/$lib && break
  done
  [[ -n $found ]] || fail "$lib (DT_NEEDED) is in no Debian arm64 package of the sysroot $sysroot"
  echo "ok: needs $lib -> /$found"
done < <("$readelf" -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
# It runs: user-mode emulation with the sysroot as its root for the loader and libraries.
command -v qemu-aarch64 >/dev/null || fail "qemu-aarch64 missing: run scripts/setup.sh --test --target arm64 (qemu-user)"
help=$(qemu-aarch64 -L "$sysroot" "$bin" --help 2>&1) || fail "qemu-aarch64 $bin --help failed: $help"
grep -q 'trace' <<<"$help" && grep -q 'doctor' <<<"$help" || fail "--help under qemu-aarch64 lacks the subcommands: $help"
echo "ok: runs under qemu-aarch64 (--help lists trace, doctor)"
