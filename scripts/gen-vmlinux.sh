#!/usr/bin/env bash
# Generate the CO-RE vmlinux.h the BPF programs compile against.
# CO-RE relocations make the resulting objects portable: the header only has to
# contain the types we use, and field offsets are fixed up at load time against
# the running kernel's BTF. Usage: gen-vmlinux.sh OUT [BTF_FILE]
set -euo pipefail
out=${1:?usage: gen-vmlinux.sh OUT [BTF_FILE]}
btf=${2:-/sys/kernel/btf/vmlinux}
if [[ ! -r $btf ]]; then
  echo "gen-vmlinux.sh: $btf not readable: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y is required)" >&2
  exit 1
fi
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
"$bpftool" btf dump file "$btf" format c >"$tmp"
mv "$tmp" "$out"
