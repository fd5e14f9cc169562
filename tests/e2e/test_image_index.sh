#!/usr/bin/env bash
# End-to-end: one image reference for amd64 and arm64 nodes (scripts/build-image-index.sh),
# imported into a real containerd, as a node of either architecture would.
#
#   test_image_index.sh AMD64_BINARY ARM64_BUILD_DIR
#       AMD64_BINARY: the host build's agent; ARM64_BUILD_DIR: a cross build tree
#       (scripts/build.sh --target arm64; ctest: cross.arm64_build). Env: SW_SYSROOT (arm64
#       library sysroot, for build-image.sh).
#
# 1. A private dockerd + containerd (dockerd.sh); build-image-index.sh builds both images in it
#    and writes the OCI layout tar.
# 2. check_image_index.py: the layout itself (one named entry -> an image index -> one manifest
#    per platform; every blob's digest and size; each config's platform and diff_ids).
# 3. `ctr images import` as a node does it (namespace swtest, host platform only): `ctr images ls`
#    shows docker.io/library/sockwarden:local with both platforms, its target is the index, and
#    `ctr run` of that reference runs the amd64 agent here (--help, --check-config of the image's
#    config).
# 4. `ctr images import --all-platforms` (namespace swtest-all): `ctr images mount --platform P`
#    resolves linux/amd64 to a rootfs whose agent and loader are x86-64, and linux/arm64 to one
#    whose agent and loader are AArch64.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root / tools missing: run scripts/setup.sh --test
# --target arm64).
# Cleanup (trap): the container and images go with containerd's root; dockerd and containerd are
# stopped by pid, mounts undone, the temp dir and the cgroups/runc state this test created removed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:?usage: test_image_index.sh AMD64_BINARY ARM64_BUILD_DIR}
ARM64_BUILD=${2:?usage: test_image_index.sh AMD64_BINARY ARM64_BUILD_DIR}
REF=docker.io/library/sockwarden:local
NS=swtest
NS_ALL=swtest-all

# shellcheck source=SCRIPTDIR/dockerd.sh
source "$HERE/dockerd.sh"

[[ -x $BIN ]] || { echo "FAIL: amd64 sockwarden binary not found at $BIN"; exit 1; }
[[ -f $ARM64_BUILD/userspace/sockwarden ]] ||
  { echo "FAIL: no arm64 build in $ARM64_BUILD: run scripts/build.sh --target arm64 (ctest: cross.arm64_build)"; exit 1; }
missing=()
for t in ctr readelf aarch64-linux-gnu-readelf; do command -v "$t" >/dev/null || missing+=("$t"); done
if ((${#missing[@]})) || ! e2e_require_tools; then
  echo "SKIP: prerequisites missing: ${missing[*]} (scripts/setup.sh --test --target arm64)"
  exit 77
fi

T_START=$SECONDS
MOUNTS=()
RUNC_NS_NEW=
ctr_() { local ns=$1; shift; ctr --address "$E2E_DIR/containerd/containerd.sock" --namespace "$ns" "$@"; }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local m
  for m in "${MOUNTS[@]}"; do ctr_ "$NS_ALL" images unmount --rm "$m" >/dev/null 2>&1; done
  if [[ -n $E2E_DIR && -S $E2E_DIR/containerd/containerd.sock ]]; then
    ctr_ "$NS" task kill --signal SIGKILL sw-index >/dev/null 2>&1
    ctr_ "$NS" task delete sw-index >/dev/null 2>&1
    ctr_ "$NS" container delete sw-index >/dev/null 2>&1
  fi
  e2e_dockerd_stop  # dockerd, shims and containerd by pid; leftover mounts; the dir; cgroups
  # runc's state root for the namespace: ours only if it was not there before; removed if empty.
  [[ -n $RUNC_NS_NEW ]] && rmdir "$RUNC_NS_NEW" 2>/dev/null
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }
# The file PATH names inside the root filesystem ROOT, its symlinks (absolute ones too) resolved
# inside ROOT, not on this host; fails if the chain ends nowhere.
in_root() {
  local root=$1 p=$2 t n
  for ((n = 0; n < 16; n++)); do
    [[ -L $root$p ]] || { [[ -f $root$p ]] && echo "$root$p"; return; }
    t=$(readlink "$root$p")
    [[ $t == /* ]] || t=$(dirname "$p")/$t
    p=$t
  done
  return 1
}

[[ -e /run/containerd/runc/$NS ]] || RUNC_NS_NEW=/run/containerd/runc/$NS
e2e_dockerd_start || fail "could not start a private dockerd"
export DOCKER_HOST=unix://$E2E_SOCK DOCKER_CONFIG=$E2E_DIR/cli-config
e2e_cgroups_note "$NS"

# --- 1. the index tar ----------------------------------------------------------------------
# Bounded: bash runs the TERM trap (the E2E_DEADLINE watchdog's) only once a foreground command
# returns, so a hung build must end on its own, well before ctest's SIGKILL.
TAR=$E2E_DIR/sockwarden-image-multiarch.tar
timeout 80 "$ROOT/scripts/build-image-index.sh" -o "$TAR" "$(dirname "$BIN")/.." "$ARM64_BUILD" ||
  fail "build-image-index.sh"

# --- 2. the layout -------------------------------------------------------------------------
INDEX_DIGEST=$(python3 "$HERE/check_image_index.py" "$TAR" --name "$REF" --platforms linux/amd64 linux/arm64) ||
  fail "the OCI layout"
e2e_log "layout: $REF = image index $INDEX_DIGEST"

# --- 3. a node's import: its own platform ----------------------------------------------------
ctr_ "$NS" images import "$TAR" >"$E2E_DIR/import.log" 2>&1 || { cat "$E2E_DIR/import.log"; fail "ctr images import"; }
# REF  TYPE  DIGEST  SIZE(2 words)  PLATFORMS  LABELS
row=$(ctr_ "$NS" images ls | awk -v r="$REF" '$1 == r')
[[ -n $row ]] || { ctr_ "$NS" images ls; fail "ctr images ls has no $REF"; }
read -r _ type digest _ _ platforms _ <<<"$row"
[[ $type == application/vnd.oci.image.index.v1+json ]] || fail "$REF is a $type, not an image index"
[[ $digest == "$INDEX_DIGEST" ]] || fail "$REF points to $digest, the layout's index is $INDEX_DIGEST"
[[ $platforms == linux/amd64,linux/arm64 || $platforms == linux/arm64,linux/amd64 ]] ||
  fail "$REF platforms '$platforms', want linux/amd64 and linux/arm64"
echo "PASS: ctr images ls: $REF -> $type $digest, platforms $platforms"

# The reference runs here (this host is amd64): containerd picked the amd64 manifest, unpacked
# it, and runc starts its agent. No privileges: --help and the image's own config check.
out=$(timeout 60 ctr --address "$E2E_DIR/containerd/containerd.sock" --namespace "$NS" run --rm "$REF" sw-index /usr/bin/sockwarden --help 2>&1) ||
  { echo "$out" | tail; fail "ctr run $REF sockwarden --help"; }
grep -q '^Usage: .*sockwarden \[OPTIONS\] SUBCOMMAND' <<<"$out" || { echo "$out" | head; fail "unexpected --help output"; }
out=$(timeout 60 ctr --address "$E2E_DIR/containerd/containerd.sock" --namespace "$NS" run --rm "$REF" sw-index \
  /usr/bin/sockwarden run --check-config --config /etc/sockwarden/config.yaml 2>&1) ||
  { echo "$out" | tail; fail "ctr run $REF sockwarden run --check-config"; }
echo "PASS: ctr run $REF on this $(uname -m) host: sockwarden --help and run --check-config of the image's config"

# --- 4. both platforms: what each architecture's node gets ---------------------------------
ctr_ "$NS_ALL" images import --all-platforms "$TAR" >"$E2E_DIR/import-all.log" 2>&1 ||
  { cat "$E2E_DIR/import-all.log"; fail "ctr images import --all-platforms"; }
declare -A WANT_MACHINE=([linux/amd64]="Advanced Micro Devices X86-64" [linux/arm64]=AArch64)
declare -A WANT_LOADER=([linux/amd64]=/lib64/ld-linux-x86-64.so.2 [linux/arm64]=/lib/ld-linux-aarch64.so.1)
for platform in linux/amd64 linux/arm64; do
  mnt=$E2E_DIR/mnt-${platform#linux/}
  mkdir -p "$mnt"
  ctr_ "$NS_ALL" images mount --platform "$platform" "$REF" "$mnt" >"$E2E_DIR/mount.log" 2>&1 ||
    { cat "$E2E_DIR/mount.log"; fail "ctr images mount --platform $platform $REF"; }
  MOUNTS+=("$mnt")
  machine=$(readelf -h "$mnt/usr/bin/sockwarden" | sed -n 's/^ *Machine: *//p')
  [[ $machine == "${WANT_MACHINE[$platform]}" ]] ||
    fail "$platform resolves to an agent built for '$machine', want '${WANT_MACHINE[$platform]}'"
  loader=${WANT_LOADER[$platform]}
  interp=$(readelf -l "$mnt/usr/bin/sockwarden" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
  [[ $interp == "$loader" ]] || fail "$platform agent asks for loader '$interp', want $loader"
  loader_file=$(in_root "$mnt" "$loader") || fail "$platform rootfs lacks its loader $loader"
  loader_machine=$(readelf -h "$loader_file" | sed -n 's/^ *Machine: *//p')
  [[ $loader_machine == "${WANT_MACHINE[$platform]}" ]] || fail "$platform loader $loader is '$loader_machine'"
  echo "PASS: $platform resolves to an agent and loader ($loader) for $machine"
  ctr_ "$NS_ALL" images unmount --rm "$mnt" >/dev/null 2>&1 || fail "ctr images unmount $mnt"
  MOUNTS=("${MOUNTS[@]:0:${#MOUNTS[@]}-1}")
done
echo "PASS: image index e2e ($REF: linux/amd64 runs here, linux/arm64 resolves to AArch64)"
