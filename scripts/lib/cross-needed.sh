#!/usr/bin/env bash
# Every file an arm64 dynamic executable needs at run time, as paths on the target: its loader
# (PT_INTERP) and, transitively, each DT_NEEDED library, looked up in SYSROOT's multiarch library
# dirs in the order the loader searches them. For a foreign binary, where ldd cannot run it
# (scripts/build-image.sh, vmtest/build-initramfs.sh -a arm64).
#   scripts/lib/cross-needed.sh SYSROOT BINARY...      (one path a line; exit 1 naming a missing one)
set -euo pipefail
sysroot=${1:?usage: cross-needed.sh SYSROOT BINARY...}
shift
readelf=$(command -v aarch64-linux-gnu-readelf || command -v readelf) || { echo "cross-needed.sh: readelf missing" >&2; exit 1; }
queue=("$@")
seen=" "
while ((${#queue[@]})); do
  f=${queue[0]}
  queue=("${queue[@]:1}")
  "$readelf" -l "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p'
  while read -r lib; do
    [[ $seen == *" $lib "* ]] && continue
    seen+="$lib "
    found=
    for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
      [[ -e $sysroot$d/$lib ]] && found=$d/$lib && break
    done
    [[ -n $found ]] || { echo "cross-needed.sh: $lib (needed by $f) is in no package of the sysroot $sysroot" >&2; exit 1; }
    echo "$found"
    queue+=("$sysroot$found")
  done < <("$readelf" -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done | sort -u
