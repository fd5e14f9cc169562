#!/usr/bin/env bash
# bpf/syscall_arch.bpf.h's syscall numbers against each architecture's own <asm/unistd.h>:
# x86_64 from the host's linux-libc-dev, arm64 from linux-libc-dev-arm64-cross (pulled in by
# g++-aarch64-linux-gnu, scripts/setup.sh --target arm64). A wrong number would make the
# syscall-tp tier (and socket-tp's user-memory fallback) silently ignore that send.
# Only the preprocessor runs: vmlinux.h is replaced by an empty stub.
# usage: check_syscall_numbers.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: check_syscall_numbers.sh SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/vmlinux.h"
fail=0
# arch (as in __TARGET_ARCH_) | compiler whose <asm/unistd.h> is that arch's | extra flags
check() {
  local arch=$1 cc=$2 ours theirs name n
  command -v "$cc" >/dev/null || { echo "FAIL: $cc missing (needed for $arch's asm/unistd.h: scripts/setup.sh --target arm64)"; fail=1; return; }
  ours=$(clang -E -dM -D__TARGET_ARCH_"$arch" -I"$tmp" -I"$src/bpf" "$src/bpf/syscall_arch.bpf.h")
  theirs=$(echo '#include <asm/unistd.h>' | "$cc" -E -dM -x c -)
  for name in write writev connect sendto sendmsg sendmmsg; do
    n=$(awk -v m="SW_NR_$name" '$1 == "#define" && $2 == m {print $3}' <<<"$ours")
    want=$(awk -v m="__NR_$name" '$1 == "#define" && $2 == m {print $3}' <<<"$theirs")
    if [[ -z $n || -z $want || $n != "$want" ]]; then
      echo "FAIL: $arch SW_NR_$name=${n:-missing}, <asm/unistd.h> __NR_$name=${want:-missing}"
      fail=1
    else
      echo "ok: $arch $name = $n"
    fi
  done
}
check x86 gcc
check arm64 aarch64-linux-gnu-gcc
exit $fail
