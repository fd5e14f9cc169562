#!/usr/bin/env bash
# Builds the vmtest initramfs (cpio newc, gzip): busybox-static with its applet links,
# sockwarden and sockwarden_integration_tests with every shared library ldd lists (plus
# the loader), /etc/passwd and /etc/group (root, nobody=65534), and an /init that mounts
# proc, sysfs, devtmpfs, securityfs, tmpfs (/tmp, /run), cgroup2 (/sys/fs/cgroup) and
# bpffs, brings lo up, runs the payload, prints
#     SOCKWARDEN-VMTEST-RESULT rc=N
# and powers the VM off.
#
#   vmtest/build-initramfs.sh -o OUT.cpio.gz [-a arm64] [-p PAYLOAD.sh] [-m MODULE.ko[.xz]]... [-x BINARY]... BUILD_DIR
#
# -a arm64: an arm64 initramfs from a cross build (scripts/build.sh --target arm64): Debian's
# arm64 busybox-static and libraries from the cross sysroot ($SW_SYSROOT, scripts/lib/
# cross-sysroot.sh), resolved by DT_NEEDED (scripts/lib/cross-needed.sh) since ldd cannot run
# arm64 binaries; socat is Debian's arm64 build from the same sysroot.
#
# -n: leave the integration test binary out (vmtest/bench.sh needs only the agent).
# -x: one more executable for /opt/sockwarden/bin (static, or its ldd libraries are copied too;
# vmtest/bench.sh adds its workload helper this way).
#
# -m: a kernel module of the booted kernel to load at boot (insmod, in the order given); the
# Debian cloud kernels build unix_diag (sock_diag for unix sockets) as a module, and an
# initramfs has no modprobe to autoload it.
#
# PAYLOAD.sh (baked in as /vmtest/payload.sh, run by busybox sh with PATH set) is what the VM
# runs; its exit code is N. Without -p the payload runs `sockwarden doctor` and the whole
# integration suite. The binaries live in /opt/sockwarden/bin (on PATH); the absolute path
# the test binary was compiled to exec sockwarden at (SW_BINARY, inside BUILD_DIR under
# /tmp, which /init covers with a tmpfs) is recreated as a symlink after the mounts.
set -euo pipefail

die() {
  echo "build-initramfs.sh: $*" >&2
  exit 1
}

out="" payload="" arch=""
modules=()
extras=()
with_tests=1
while getopts "o:a:p:m:x:n" opt; do
  case $opt in
    o) out=$OPTARG ;;
    a) arch=$OPTARG ;;
    p) payload=$OPTARG ;;
    m) modules+=("$OPTARG") ;;
    x) extras+=("$OPTARG") ;;
    n) with_tests=0 ;;
    *) die "usage: $0 -o OUT.cpio.gz [-p PAYLOAD.sh] BUILD_DIR" ;;
  esac
done
shift $((OPTIND - 1))
[[ $# -eq 1 && -n $out ]] || die "usage: $0 -o OUT.cpio.gz [-p PAYLOAD.sh] BUILD_DIR"
build=$1

tests_bin=$build/tests/sockwarden_integration_tests
sw_bin=$build/userspace/sockwarden
((with_tests)) || tests_bin=$sw_bin  # packed once, as sockwarden
for f in "$tests_bin" "$sw_bin"; do [[ -x $f ]] || die "missing $f (build the project first)"; done
[[ -z $payload || -r $payload ]] || die "payload $payload not readable"
case $arch in
  "") ;;
  arm64)
    sysroot=${SW_SYSROOT:-/var/cache/sockwarden-cross/arm64/sysroot}
    [[ -d $sysroot/usr/lib/aarch64-linux-gnu ]] || die "no arm64 sysroot at $sysroot (scripts/setup.sh --target arm64)"
    here_root=$(cd "$(dirname "$0")/.." && pwd)
    ;;
  *) die "-a takes arm64" ;;
esac
if [[ -z $arch ]]; then
  busybox=$(command -v busybox || true)
  # busybox-static: ldd calls it "not a dynamic executable" and fails.
  [[ -n $busybox ]] && ! ldd "$busybox" >/dev/null 2>&1 || die "needs busybox-static (apt-get install busybox-static)"
  for t in cpio gzip ldd; do command -v $t >/dev/null || die "needs $t"; done
else
  # Debian's arm64 busybox-static, unpacked into the sysroot with the libraries.
  busybox=$sysroot/bin/busybox
  [[ -x $busybox ]] || die "no arm64 busybox in $sysroot/bin (scripts/setup.sh --target arm64 fetches busybox-static:arm64)"
  for t in cpio gzip; do command -v $t >/dev/null || die "needs $t"; done
fi

# Where the test binary execs sockwarden from (its compiled-in SW_BINARY).
sw_alias=$(grep -a -o -m1 '/[[:print:]]*/userspace/sockwarden' "$tests_bin" | head -1 || true)
[[ -n $sw_alias ]] || sw_alias=$(realpath "$sw_bin")

root=$(mktemp -d /tmp/sw-initramfs.XXXXXX)
chmod 0755 "$root" # the guest's /: tests that drop to uid 65534 must traverse it (mktemp made it 0700)
trap 'rm -rf "$root"' EXIT

# Merged-/usr layout, as on the host.
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,root,opt/sockwarden/bin,vmtest}
for d in bin sbin lib lib64; do ln -s usr/$d "$root/$d"; done
chmod 1777 "$root/tmp"

# busybox and its applets (never over a real file).
cp "$busybox" "$root/usr/bin/busybox"
while read -r applet; do
  [[ $applet == */* ]] || continue
  p=${applet#/}
  case $p in bin/* | sbin/*) p=usr/$p ;; usr/*) ;; *) continue ;; esac
  [[ -e $root/$p || -L $root/$p ]] || ln -s /usr/bin/busybox "$root/$p"
done < <(if [[ -n $arch ]] && command -v qemu-aarch64 >/dev/null; then qemu-aarch64 "$busybox" --list-full
         elif [[ -n $arch ]]; then busybox --list-full # the host's: same Debian version, same applets
         else "$busybox" --list-full; fi)

((with_tests)) && install -m 0755 "$tests_bin" "$root/opt/sockwarden/bin/sockwarden_integration_tests"
install -m 0755 "$sw_bin" "$root/opt/sockwarden/bin/sockwarden"
# socat: the evasion suite's relay case (a known forwarding tool); arm64: the sysroot's.
socat_bin=
if ((with_tests)); then
  if [[ -z $arch ]]; then
    socat_bin=$(command -v socat || true)
    [[ -n $socat_bin ]] || die "needs socat (scripts/setup.sh --test installs it)"
  else
    socat_bin=$sysroot/usr/bin/socat
    [[ -x $socat_bin ]] || die "no arm64 socat in $sysroot (scripts/setup.sh --target arm64 fetches socat:arm64)"
  fi
  install -m 0755 "$socat_bin" "$root/usr/bin/socat"
fi
for x in "${extras[@]}"; do
  [[ -x $x ]] || die "extra binary $x is not executable"
  install -m 0755 "$x" "$root/opt/sockwarden/bin/$(basename "$x")"
done

# Shared libraries (and the loader) at the paths ldd resolves, under /usr.
copy_lib() {
  local src=$1 dst=${1#/}
  [[ $dst == usr/* ]] || dst=usr/$dst
  [[ -e $root/$dst ]] && return 0
  mkdir -p "$root/$(dirname "$dst")"
  cp -L "$src" "$root/$dst"
}
if [[ -z $arch ]]; then
  for b in "$tests_bin" "$sw_bin" "$socat_bin" "${extras[@]}"; do
    { ldd "$b" 2>/dev/null || true; } | awk '/=> \// {print $3} /^[[:space:]]*\/[^ ]+ \(/ {print $1}' |
      while read -r lib; do copy_lib "$lib"; done
  done
  [[ -e $root/usr/lib64/ld-linux-x86-64.so.2 ]] || die "ldd did not list the loader"
  echo /usr/lib/x86_64-linux-gnu >"$root/etc/ld.so.conf"
  ldconfig -r "$root" 2>/dev/null || true
else
  bins=("$tests_bin" "$sw_bin" ${socat_bin:+"$socat_bin"})
  for x in "${extras[@]}"; do "${readelf:-aarch64-linux-gnu-readelf}" -l "$x" | grep -q 'program interpreter' && bins+=("$x"); done
  libs=$("$here_root/scripts/lib/cross-needed.sh" "$sysroot" "${bins[@]}") || die "cannot resolve the arm64 libraries"
  # Merged /usr in the guest: /lib/... lands in usr/lib/...; copied with cp -L from the sysroot.
  for lib in $libs; do
    dst=${lib#/}
    [[ $dst == usr/* ]] || dst=usr/$dst
    mkdir -p "$root/$(dirname "$dst")"
    cp -L "$sysroot$lib" "$root/$dst"
  done
  [[ -e $root/usr/lib/ld-linux-aarch64.so.1 ]] || die "the arm64 loader is not among the resolved libraries"
fi

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo vmtest >"$root/etc/hostname"

if [[ -n $payload ]]; then
  install -m 0755 "$payload" "$root/vmtest/payload.sh"
else
  cat >"$root/vmtest/payload.sh" <<'EOF'
#!/bin/sh
sockwarden doctor
sockwarden_integration_tests --gtest_color=no
EOF
  chmod 0755 "$root/vmtest/payload.sh"
fi
echo "$sw_alias" >"$root/vmtest/sw_alias"

# Kernel modules to load at boot (decompressed: busybox insmod takes plain .ko).
mkdir -p "$root/vmtest/modules"
for m in "${modules[@]}"; do
  [[ -r $m ]] || die "module $m not readable"
  name=$(basename "$m" .xz)
  if [[ $m == *.xz ]]; then xz -dc "$m" >"$root/vmtest/modules/$name"; else cp "$m" "$root/vmtest/modules/$name"; fi
  echo "$name" >>"$root/vmtest/modules/order"
done

cat >"$root/init" <<'EOF'
#!/bin/sh
export PATH=/opt/sockwarden/bin:/usr/sbin:/usr/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t securityfs securityfs /sys/kernel/security
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
hostname vmtest
if [ -f /vmtest/modules/order ]; then
  while read -r m; do insmod "/vmtest/modules/$m" || echo "SOCKWARDEN-VMTEST-WARN insmod $m failed"; done </vmtest/modules/order
fi
ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null
# The path the test binary execs sockwarden at (its build dir, now under the /tmp tmpfs).
alias=$(cat /vmtest/sw_alias)
if [ -n "$alias" ] && [ ! -e "$alias" ]; then
  mkdir -p "${alias%/*}" && ln -s /opt/sockwarden/bin/sockwarden "$alias"
fi
echo
echo "SOCKWARDEN-VMTEST-BOOTED kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime) lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)"
cd /tmp
/bin/sh /vmtest/payload.sh
rc=$?
echo "SOCKWARDEN-VMTEST-RESULT rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
sync
sleep 1
poweroff -f
EOF
chmod 0755 "$root/init"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
