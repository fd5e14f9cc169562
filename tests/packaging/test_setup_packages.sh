#!/usr/bin/env bash
# What each command asks apt for, with apt and dpkg's status stubbed (nothing is installed):
#   1. a host that looks fresh: setup.sh (the run command's) asks for exactly the README's
#      trace.sh list, setup.sh --test (the test command's) for that plus the README's test list;
#      every real install runs with --no-remove;
#   2. a host with Docker's own packages (docker-ce, containerd.io: dockerd, containerd, runc on
#      disk): neither asks for docker.io, containerd or runc, which conflict with them;
#   3. apt planning a removal: setup refuses, names the package, and installs nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/stubs" "$work/host-bin" "$work/etc/sources.list.d"
printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  >"$work/etc/sources.list.d/debian.sources"

cat >"$work/stubs/apt-get" <<'STUB'
#!/usr/bin/env bash
echo "$*" >>"$SW_STUB_LOG"
sim=0; pkgs=()
for a in "$@"; do
  case $a in -s) sim=1 ;; -*|install|update|bookworm-backports) ;; *) pkgs+=("$a") ;; esac
done
# a real install of a daemon package must run with a policy-rc.d that forbids starting services
if ((!sim)) && [[ " $* " == *" rsyslog "* ]]; then
  "$SW_POLICY_RC_D" rsyslog start; [[ $? == 101 ]] || echo "NO-POLICY-RC-D" >>"$SW_STUB_LOG"
fi
if ((sim)); then
  for p in "${pkgs[@]}"; do echo "Inst $p (1.0 Debian:12)"; done
  [[ -n ${SW_STUB_REMOVE:-} ]] && echo "Remv $SW_STUB_REMOVE [1.0]"
fi
exit 0
STUB
cat >"$work/stubs/dpkg-query" <<'STUB'
#!/usr/bin/env bash
pkg=${!#}
for p in ${SW_STUB_INSTALLED:-}; do
  if [[ $p == "$pkg" ]]; then
    case "$*" in *Status*) echo "install ok installed" ;; *Version*) echo "1.0" ;; esac
    exit 0
  fi
done
exit 1
STUB
# dpkg: the foreign architectures (none, then what setup.sh added) are stubbed; the rest is dpkg's.
cat >"$work/stubs/dpkg" <<'STUB'
#!/usr/bin/env bash
case "$1" in
  --print-foreign-architectures) cat "$SW_STUB_ARCHS" 2>/dev/null; exit 0 ;;
  --add-architecture) echo "$2" >>"$SW_STUB_ARCHS"; echo "add-architecture $2" >>"$SW_STUB_LOG"; exit 0 ;;
esac
exec /usr/bin/dpkg "$@"
STUB
# the arm64 sysroot (scripts/lib/cross-sysroot.sh downloads; here only its call is recorded)
cat >"$work/stubs/cross-sysroot" <<'STUB'
#!/usr/bin/env bash
echo "cross-sysroot $*" >>"$SW_STUB_LOG"
STUB
chmod +x "$work/stubs/"*

# Runs setup.sh with the stubs; prints the packages of the real (non-simulated) installs.
run_setup() {
  local log=$work/apt.log
  : >"$log"
  rm -f "$work/stamp" "$work/etc/sources.list.d/sockwarden-backports.sources" "$work/archs"
  PATH="$work/stubs:$PATH" SW_STUB_LOG=$log SW_APT_SOURCES_DIR=$work/etc/sources.list.d \
    SW_STUB_ARCHS=$work/archs SW_CROSS_SYSROOT_CMD=$work/stubs/cross-sysroot SW_SYSROOT=$work/sysroot \
    SW_APT_STAMP=$work/stamp SW_BINARY_PATH=$work/host-bin SW_POLICY_RC_D=$work/policy-rc.d \
    "$root/scripts/setup.sh" "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; return 1; }
  grep -q NO-POLICY-RC-D "$log" && fail "an install ran without a policy-rc.d answering 101 (services would start)"
  [[ -e $work/policy-rc.d ]] && fail "setup.sh left its policy-rc.d behind"
  # every real install must refuse removals
  if grep '^install -y' "$log" | grep -qv -- '--no-remove'; then fail "an install ran without --no-remove: $(cat "$log")"; fi
  grep '^install -y' "$log" | tr ' ' '\n' | grep -v -e '^-' -e '^install$' -e '^bookworm-backports$' | sort -u
}

readme_list() {  # the backticked package names on the README's line for $1
  grep -m1 -- "^- \`scripts/$1\`" "$root/README.md" | grep -o '`[^`]*`' | tr -d '`' | grep -v '^scripts/' | sort -u
}
trace_list=$(readme_list trace.sh)
test_list=$(readme_list test.sh)
[[ -n $trace_list && -n $test_list ]] || fail "README has no '- \`scripts/trace.sh\`' / '- \`scripts/test.sh\`' install lines"

# 1. fresh host
got=$(run_setup)
diff <(echo "$trace_list") <(echo "$got") >/dev/null || {
  diff -u <(echo "$trace_list") <(echo "$got") >&2 || true; fail "setup.sh (trace.sh) asks apt for other packages than the README lists"; }
for p in docker.io containerd runc podman conmon qemu-system-x86 auditd bpftrace; do
  grep -qx "$p" <<<"$got" && fail "setup.sh (trace.sh) installs test rig $p"
done
got=$(run_setup --test)
want=$(printf '%s\n%s\n' "$trace_list" "$test_list" | sort -u)
diff <(echo "$want") <(echo "$got") >/dev/null || {
  diff -u <(echo "$want") <(echo "$got") >&2 || true; fail "setup.sh --test (test.sh) asks apt for other packages than the README lists"; }
echo "ok: fresh host: trace.sh asks for $(wc -l <<<"$trace_list") packages, test.sh for $(wc -l <<<"$want")"
grep -q -e add-architecture -e cross-sysroot "$work/apt.log" && fail "setup.sh --test touched the arm64 target without --target"

# 1b. the arm64 target (docs/arm64.md): the arm64 architecture added, the cross compiler (and with
# --test qemu-user, qemu-system-arm) installed, the sysroot made; nothing else beyond the lists.
got=$(run_setup --target arm64)
want=$(printf '%s\ng++-aarch64-linux-gnu\n' "$trace_list" | sort -u)
diff <(echo "$want") <(echo "$got") >/dev/null || {
  diff -u <(echo "$want") <(echo "$got") >&2 || true; fail "setup.sh --target arm64 asks apt for other packages than docs/arm64.md"; }
grep -qx 'add-architecture arm64' "$work/apt.log" || fail "setup.sh --target arm64 did not add the arm64 architecture"
grep -qx "cross-sysroot arm64 $work/sysroot" "$work/apt.log" || fail "setup.sh --target arm64 did not build the sysroot in \$SW_SYSROOT"
got=$(run_setup --test --target arm64)
want=$(printf '%s\n%s\ng++-aarch64-linux-gnu\nqemu-user\nqemu-system-arm\n' "$trace_list" "$test_list" | sort -u)
diff <(echo "$want") <(echo "$got") >/dev/null || {
  diff -u <(echo "$want") <(echo "$got") >&2 || true; fail "setup.sh --test --target arm64 asks apt for other packages than docs/arm64.md"; }
echo "ok: --target arm64: arm64 architecture added, g++-aarch64-linux-gnu (+ qemu-user qemu-system-arm with --test), sysroot built"

# 2. Docker's own packages installed: their binaries are on disk, dpkg reports them
for b in dockerd containerd runc docker; do printf '#!/bin/sh\nexit 0\n' >"$work/host-bin/$b"; chmod +x "$work/host-bin/$b"; done
export SW_STUB_INSTALLED="docker-ce docker-ce-cli containerd.io"
for mode in "" --test; do
  got=$(run_setup $mode)
  for p in docker.io containerd runc; do
    grep -qx "$p" <<<"$got" && fail "setup.sh $mode asks for $p on a docker-ce host"
  done
done
grep -q "dockerd is already on this host" "$work/out" || fail "setup.sh --test does not say it uses the host's dockerd"
echo "ok: docker-ce host: no docker.io/containerd/runc asked for"

# 3. apt would remove something: refuse, name it, install nothing
export SW_STUB_REMOVE=docker-ce
if run_setup --test >/dev/null 2>&1; then fail "setup.sh --test went on although apt planned to remove docker-ce"; fi
grep -q "would remove installed package(s): docker-ce" "$work/out" || { cat "$work/out" >&2; fail "the refusal does not name docker-ce"; }
grep -q '^install -y' "$work/apt.log" && fail "setup.sh installed something after planning a removal"
echo "ok: a planned removal is refused with the package named"
