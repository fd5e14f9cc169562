#!/usr/bin/env bash
# One image reference for a fleet mixing amd64 and arm64 nodes, offline (no registry, no network).
#
#   scripts/build-image-index.sh [-o OUT.tar] [AMD64_BUILD_DIR [ARM64_BUILD_DIR]]
#       Build dirs default to ./build and ./build-arm64 (scripts/build.sh, scripts/build.sh
#       --target arm64); OUT defaults to dist/sockwarden-image-multiarch.tar.
#
# Builds both single-architecture images with scripts/build-image.sh (sockwarden:local for
# linux/amd64, sockwarden:local-arm64 for linux/arm64), `docker save`s them, and joins them with
# scripts/lib/oci_image_index.py into an OCI image layout tar whose one name,
# docker.io/library/sockwarden:local (what kubelet looks up for the DaemonSet's
# `image: sockwarden:local`), is an image index listing both manifests with their platforms.
# On every node, whatever its architecture:
#   ctr -n k8s.io images import dist/sockwarden-image-multiarch.tar
# containerd keeps (and unpacks) the node's own platform; --all-platforms keeps both.
#
# Env:
#   DOCKER_HOST            daemon to build with; when none answers, one private dockerd
#                          (tests/e2e/dockerd.sh) serves both builds and is stopped at the end
#   SW_SYSROOT             arm64 library sysroot, for build-image.sh
#   SOCKWARDEN_IMAGE_NAME  the reference (default docker.io/library/sockwarden:local)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "build-image-index: $*" >&2; exit 1; }
usage() { echo "usage: build-image-index.sh [-o OUT.tar] [AMD64_BUILD_DIR [ARM64_BUILD_DIR]]" >&2; exit 2; }

out=$root/dist/sockwarden-image-multiarch.tar
if [[ ${1:-} == -o ]]; then
  [[ -n ${2:-} ]] || usage
  out=$2
  shift 2
fi
(($# <= 2)) || usage
amd64_build=${1:-$root/build}
arm64_build=${2:-$root/build-arm64}
name=${SOCKWARDEN_IMAGE_NAME:-docker.io/library/sockwarden:local}
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

work=$(mktemp -d /tmp/sw-image-index.XXXXXX)
private_daemon=
cleanup() {
  rm -rf "$work"
  if [[ -n $private_daemon ]]; then e2e_dockerd_stop; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # through the EXIT trap: the temp dir and a private daemon go too

if ! docker version >/dev/null 2>&1; then
  # shellcheck source=SCRIPTDIR/../tests/e2e/dockerd.sh
  source "$root/tests/e2e/dockerd.sh"
  echo "build-image-index: no docker daemon answers; starting a private one" >&2
  private_daemon=1
  e2e_dockerd_start || die "could not start a private dockerd"
  export DOCKER_HOST=unix://$E2E_SOCK DOCKER_CONFIG=$E2E_DIR/cli-config
fi

# Each build uses its build dir's binary and its platform's default tag: a SOCKWARDEN or
# SOCKWARDEN_IMAGE meant for one of them must not apply to both.
for platform in linux/amd64 linux/arm64; do
  case $platform in
    linux/amd64) build=$amd64_build tag=sockwarden:local ;;
    linux/arm64) build=$arm64_build tag=sockwarden:local-arm64 ;;
  esac
  env -u SOCKWARDEN -u SOCKWARDEN_IMAGE "$root/scripts/build-image.sh" --platform "$platform" "$build" ||
    die "build-image.sh --platform $platform $build failed"
  docker save -o "$work/${platform#linux/}.tar" "$tag" || die "docker save $tag failed"
done

/usr/bin/python3 "$root/scripts/lib/oci_image_index.py" --name "$name" -o "$out" "$work/amd64.tar" "$work/arm64.tar" ||
  die "could not assemble the image index"
echo "build-image-index: $name (linux/amd64 + linux/arm64) in $out ($(($(stat -c %s "$out") / 1024)) KiB);" \
  "on each node: ctr -n k8s.io images import $out" >&2
