# Package lists and a safe apt wrapper, sourced by scripts/setup.sh.
#
# Two sets, because the run command lands on production hosts:
#   SW_BUILD_PKGS  what building and running sockwarden needs (scripts/trace.sh, build.sh --agent)
#   SW_TEST_PKGS   the test rigs on top (scripts/test.sh): runtimes, QEMU, auditd, fuzz runtime
# The README's "What the commands install" lists these exactly; tests/packaging/
# test_setup_packages.sh compares the two with apt stubbed.
#
# Safety rules (a responder runs this on the host under investigation):
#   - nothing is ever removed or replaced: apt runs with --no-remove after a simulation
#     that names any package apt would remove, and we stop there with that name;
#   - a test rig whose binary the host already has (dockerd from docker-ce, containerd and
#     runc from containerd.io, a hand-installed podman) is used as it is, never installed
#     over: Debian's docker.io/containerd/runc conflict with Docker's own packages.

SW_BUILD_PKGS=(
  build-essential cmake pkg-config clang llvm make
  libelf-dev zlib1g-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libnghttp2-dev
)
# From bookworm-backports: bookworm's libbpf 1.1 lacks the cgroup/*_unix section names and
# kfunc externs.
SW_BACKPORT_PKGS=(libbpf-dev libbpf1 bpftool)

SW_TEST_PKGS=(
  git libgtest-dev libgmock-dev liburing-dev
  # fuzz targets: libFuzzer for clang 14 (tests/fuzz)
  libclang-rt-14-dev
  iproute2 util-linux procps python3 socat
  # event JSON Schema validation; systemd-analyze and dpkg-deb for the packaging test
  python3-jsonschema systemd dpkg-dev
  # lint tests: SARIF schema subset and the project manifests
  python3-yaml
  # end-to-end: a real dockerd (offline, vfs storage) and a real rootful podman
  docker.io containerd runc iptables podman conmon
  # a private image registry for pulls (tests/e2e/registry.sh)
  docker-registry
  # a containerd API client on gRPC's C core (tests/e2e/containerd_client.py)
  python3-grpcio
  # vmtest: QEMU-booted kernels for the fentry/LSM tiers
  qemu-system-x86 busybox-static cpio xz-utils
  # scripts/bench.sh: the anchors, auditd (one connect rule through auditctl) and bpftrace
  auditd bpftrace
  # SIEM delivery tests: a private rsyslogd (mmjsonparse) and promtool for the metrics file
  rsyslog prometheus
)

# The arm64 target (scripts/setup.sh --target arm64, scripts/build.sh --target arm64; never the
# x86 run command): the cross compiler, installed on the host (new packages only; measured:
# crossbuild-essential-arm64 would also upgrade perl for dpkg-cross, which the build does not use).
SW_CROSS_ARM64_PKGS=(g++-aarch64-linux-gnu)
# ... and with --test: qemu-user runs the arm64 binary on this host (qemu-aarch64 -L SYSROOT; no
# binfmt registration: qemu-user-binfmt is not installed), qemu-system-arm boots arm64 kernels.
SW_CROSS_ARM64_TEST_PKGS=(qemu-user qemu-system-arm)
# Debian's arm64 builds of the libraries the agent links (and the C/C++ runtime the image ships),
# fetched with `apt-get download` and unpacked into a private sysroot by scripts/lib/
# cross-sysroot.sh: NOT installed (multiarch -dev packages would remove or upgrade host packages).
SW_SYSROOT_PKGS=(
  libelf-dev libelf1 zlib1g-dev zlib1g libzstd1
  libspdlog-dev libspdlog1.10 libfmt-dev libfmt9
  libyaml-cpp-dev libyaml-cpp0.7 libnghttp2-dev libnghttp2-14
  libc6 libstdc++6 libgcc-s1
  # the arm64 vmtest initramfs's shell and tools (vmtest/build-initramfs.sh -a arm64)
  busybox-static
  # the cross-built integration suite (scripts/build.sh --target arm64 --tests): GoogleTest,
  # liburing; socat for its relay case, with the libraries socat links (DT_NEEDED closure)
  libgtest-dev libgmock-dev liburing-dev liburing2
  socat libssl3 libwrap0 libnsl2 libtirpc3 libgssapi-krb5-2 libkrb5-3 libk5crypto3
  libcom-err2 libkrb5support0 libkeyutils1
)
SW_BACKPORT_SYSROOT_PKGS=(libbpf-dev libbpf1)
# Header-only, Architecture: all (fetched as they are, into the same sysroot).
SW_SYSROOT_ALL_PKGS=(nlohmann-json3-dev libcli11-dev)

# Rig packages that are skipped when the host already has their binary, from any package.
declare -A SW_RIG_BINARY=(
  [docker.io]=dockerd [containerd]=containerd [runc]=runc [podman]=podman [conmon]=conmon
)
# Where a rig's binary counts as present. Tests point this at a stub directory.
: "${SW_BINARY_PATH:=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/libexec/podman}"

sw_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

sw_have_binary() {
  local d
  local IFS=:
  for d in $SW_BINARY_PATH; do
    [[ -x $d/$1 ]] && return 0
  done
  return 1
}

# sw_apt_install [apt options...] -- PKG...: installs the PKGs that are missing, never removing
# or replacing anything. Exits 1 naming the packages apt would remove.
sw_apt_install() {
  local opts=() want=() missing=() p bin
  while [[ $# -gt 0 && $1 != -- ]]; do opts+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  want=("$@")
  for p in "${want[@]}"; do
    sw_installed "$p" && continue
    bin=${SW_RIG_BINARY[$p]:-}
    if [[ -n $bin ]] && sw_have_binary "$bin"; then
      echo "setup.sh: $bin is already on this host: using it, not installing $p" >&2
      continue
    fi
    missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local plan removals
  plan=$(apt-get install -s --no-install-recommends "${opts[@]}" "${missing[@]}" 2>&1) || {
    echo "setup.sh: apt cannot install ${missing[*]}:" >&2
    printf '%s\n' "$plan" | tail -15 >&2
    return 1
  }
  removals=$(printf '%s\n' "$plan" | awk '/^Remv /{print $2}' | sort -u | tr '\n' ' ')
  if [[ -n $removals ]]; then
    echo "setup.sh: refusing: installing ${missing[*]} would remove installed package(s): $removals" >&2
    echo "setup.sh: nothing was changed. Install the conflicting test rig yourself, or run the tests on another machine." >&2
    return 1
  fi
  # Daemon packages (rsyslog, prometheus, auditd) start their service from postinst through
  # invoke-rc.d; a policy-rc.d that answers 101 ("action forbidden") stops that. One the host
  # already has is left as it is; ours is removed afterwards, whatever apt did.
  local policy=${SW_POLICY_RC_D:-/usr/sbin/policy-rc.d} own_policy=0 rc=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# sockwarden setup.sh: no service started while it installs packages\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  apt-get install -y -qq --no-remove --no-install-recommends "${opts[@]}" "${missing[@]}" || rc=$?
  ((own_policy)) && rm -f "$policy"
  return $rc
}
