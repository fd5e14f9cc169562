#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 (bookworm) machine, run as root.
# Installs the build toolchain, libbpf/bpftool >= 1.4 from bookworm-backports
# (bookworm's libbpf 1.1 lacks the cgroup/*_unix section names and kfunc externs),
# the userspace libraries, and what the end-to-end and vmtest suites need.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "setup.sh: must run as root (it installs packages)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
BACKPORTS=/etc/apt/sources.list.d/sockwarden-backports.sources

# Add bookworm-backports with the same URIs and key the machine already uses for bookworm.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  uris=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  key=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  : "${uris:=http://deb.debian.org/debian}"
  : "${key:=/usr/share/keyrings/debian-archive-keyring.gpg}"
  cat >"$BACKPORTS" <<SRC
Types: deb
URIs: $uris
Suites: bookworm-backports
Components: main
Signed-By: $key
SRC
  need_update=1
fi

stamp=/var/lib/apt/periodic/sockwarden-update-stamp
if [[ -n "${need_update:-}" || ! -f $stamp ]]; then
  apt-get update -qq
  mkdir -p "$(dirname $stamp)" && touch $stamp
fi

BASE_PKGS=(
  build-essential cmake pkg-config clang llvm make git
  # fuzz targets: libFuzzer for clang 14 (tests/fuzz)
  libclang-rt-14-dev
  libelf-dev zlib1g-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  libyaml-cpp-dev libnghttp2-dev liburing-dev
  iproute2 util-linux procps python3 socat
  # event JSON Schema validation (tests/schema); systemd-analyze and dpkg-deb for the packaging test
  python3-jsonschema systemd dpkg-dev
  # sockwarden lint tests: SARIF schema subset and the project manifests (tests/lint)
  python3-yaml
  # end-to-end: a real dockerd (offline, vfs storage)
  docker.io containerd runc iptables
  # end-to-end: a real rootful podman (its Docker-compatible API service)
  podman conmon
  # vmtest: QEMU-booted kernels for the fentry/LSM tiers
  qemu-system-x86 busybox-static cpio xz-utils
  # scripts/bench.sh: the auditd anchor (one connect rule through auditctl)
  auditd
)
BACKPORT_PKGS=(libbpf-dev libbpf1 bpftool)

missing=()
for p in "${BASE_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

libbpf_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || true)
  [[ -n $v ]] && dpkg --compare-versions "${v#1:}" ge 1.4
}
if ! libbpf_ok || ! command -v bpftool >/dev/null; then
  apt-get install -y -qq --no-install-recommends -t bookworm-backports "${BACKPORT_PKGS[@]}"
fi

echo "setup.sh: ok (libbpf $(dpkg-query -W -f='${Version}' libbpf-dev), $(bpftool version | head -1))"
