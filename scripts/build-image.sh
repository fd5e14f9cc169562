#!/usr/bin/env bash
# Build the container image sockwarden:local, offline (no registry, no network).
#
#   scripts/build-image.sh [--platform linux/amd64|linux/arm64] [BUILD_DIR]
#       BUILD_DIR default: ./build, or ./build-arm64 for linux/arm64 (must hold the built agent:
#       scripts/build.sh, or scripts/build.sh --target arm64). Default platform: this host's.
#
# Two named images for a mixed fleet: sockwarden:local (amd64) and sockwarden:local-arm64
# (arm64), each with its architecture in the image config (docker image inspect .Architecture).
# The arm64 rootfs takes its libraries from Debian's arm64 packages (the cross build's sysroot,
# scripts/lib/cross-sysroot.sh), found by walking DT_NEEDED with the cross readelf (ldd cannot
# run an arm64 binary), and is test-run with qemu-aarch64 (qemu-user) when that is installed.
#
# The image is deploy/docker/Dockerfile (FROM scratch) over a root filesystem assembled here:
# the agent binary (debug info stripped), exactly the shared libraries `ldd` resolves for it
# (each copied with the chain of symlinks that names it), the dynamic loader, and
# deploy/docker/config.yaml as /etc/sockwarden/config.yaml. The BPF programs are inside the
# binary (libbpf skeletons): the build fails if the binary does not carry them.
#
# Env:
#   DOCKER_HOST        daemon to build with (the docker CLI's default otherwise)
#   SOCKWARDEN         agent binary (default BUILD_DIR/userspace/sockwarden)
#   SOCKWARDEN_IMAGE   tag (default sockwarden:local)
# When no daemon answers (no system dockerd on this host), a private one is started with
# tests/e2e/dockerd.sh, the image is built there and saved to BUILD_DIR/sockwarden-image.tar
# (load it with `docker load -i`), then the daemon is stopped.
#   SW_SYSROOT         arm64 library sysroot (default /var/cache/sockwarden-cross/arm64/sysroot)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "build-image: $*" >&2; exit 1; }
case $(uname -m) in aarch64) host_platform=linux/arm64 ;; *) host_platform=linux/amd64 ;; esac
platform=$host_platform
if [[ ${1:-} == --platform ]]; then
  platform=${2:?usage: build-image.sh [--platform linux/amd64|linux/arm64] [BUILD_DIR]}
  shift 2
fi
case $platform in
  linux/amd64) arch=amd64 default_build=$root/build default_image=sockwarden:local ;;
  linux/arm64) arch=arm64 default_build=$root/build-arm64 default_image=sockwarden:local-arm64 ;;
  *) die "unsupported platform '$platform' (linux/amd64, linux/arm64)" ;;
esac
build=$(cd "${1:-$default_build}" && pwd) || { echo "build-image: no build dir ${1:-$default_build}" >&2; exit 2; }
bin=${SOCKWARDEN:-$build/userspace/sockwarden}
image=${SOCKWARDEN_IMAGE:-$default_image}
# A foreign platform's binary cannot run here: its libraries come from its sysroot, not ldd.
cross=0
[[ $platform == "$host_platform" ]] || cross=1
sysroot=
if ((cross)); then
  sysroot=${SW_SYSROOT:-/var/cache/sockwarden-cross/$arch/sysroot}
  [[ -d $sysroot/usr/lib ]] || die "no $arch sysroot at $sysroot: run scripts/setup.sh --target $arch"
  readelf=$(command -v aarch64-linux-gnu-readelf) || die "aarch64-linux-gnu-readelf missing: run scripts/setup.sh --target $arch"
  objcopy=aarch64-linux-gnu-objcopy
  "$readelf" -h "$bin" 2>/dev/null | grep -q 'Machine:.*AArch64' || die "$bin is not an arm64 binary (scripts/build.sh --target arm64)"
else
  objcopy=objcopy
fi
[[ -x $bin ]] || die "agent binary $bin not found: build it first (scripts/build.sh or cmake --build $build --target sockwarden)"
command -v docker >/dev/null || die "docker CLI missing: run scripts/setup.sh --test (docker.io)"

# The skeletons embed each tier's BPF ELF object; their program section names are in the
# binary's data only if they were compiled in (a binary built without them would look for
# nothing at runtime and fail to load any tier).
for sec in tp_btf/sk_data_ready cgroup/connect_unix tp_btf/sys_enter; do
  grep -qaF "$sec" "$bin" || die "$bin does not embed the BPF programs (section $sec missing)"
done

ctx=$(mktemp -d /tmp/sw-image.XXXXXX)
private_daemon=
cleanup() {
  rm -rf "$ctx"
  if [[ -n $private_daemon ]]; then e2e_dockerd_stop; fi
}
trap cleanup EXIT
rootfs=$ctx/rootfs
mkdir -p "$rootfs"/{usr/bin,etc/sockwarden,proc,sys,dev,tmp}

# Copy PATH (a path on the target: under $sysroot for a cross build) into the rootfs at the same
# place, following its symlink chain one link at a time so that every name the loader looks up
# (libbpf.so.1 -> libbpf.so.1.4.1) exists.
copy_with_links() {
  local p=$1 t n=0
  while :; do
    mkdir -p "$rootfs$(dirname "$p")"
    cp -P --preserve=mode,links "$sysroot$p" "$rootfs$p"
    [[ -L $sysroot$p ]] || return 0
    t=$(readlink "$sysroot$p")
    [[ $t == /* ]] || t=$(dirname "$p")/$t
    p=$t
    ((++n < 16)) || die "symlink loop at $1"
  done
}

"$objcopy" --strip-debug "$bin" "$rootfs/usr/bin/sockwarden"
if ((cross)); then
  # The loader and every library, transitively, by DT_NEEDED in the sysroot.
  libs=$("$root/scripts/lib/cross-needed.sh" "$sysroot" "$bin") || die "cannot resolve the libraries of $bin"
else
  libs=$(ldd "$bin" | grep -oE '/[^ ]+' | sort -u)
fi
[[ -n $libs ]] || die "no libraries found for $bin (a static binary? then drop this step)"
for lib in $libs; do copy_with_links "$lib"; done
cp "$root/deploy/docker/config.yaml" "$rootfs/etc/sockwarden/config.yaml"
chmod 1777 "$rootfs/tmp"
cp "$root/deploy/docker/Dockerfile" "$ctx/Dockerfile"

# Does the rootfs run on its own? (chroot: the copied loader and libraries only; for a foreign
# platform, qemu-user with the rootfs as the loader's root.)
if ((!cross)); then
  chroot "$rootfs" /usr/bin/sockwarden --help >/dev/null ||
    die "the assembled rootfs does not run sockwarden --help (missing library?)"
elif command -v qemu-aarch64 >/dev/null; then
  qemu-aarch64 -L "$rootfs" "$rootfs/usr/bin/sockwarden" --help >/dev/null ||
    die "the assembled $arch rootfs does not run sockwarden --help under qemu-aarch64 (missing library?)"
else
  echo "build-image: qemu-aarch64 (qemu-user) not installed: the $arch rootfs was checked by its DT_NEEDED walk only" >&2
fi

version=$(awk -F'[ )]' '/^project\(sockwarden VERSION/ {print $3}' "$root/CMakeLists.txt")
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)

if ! docker version >/dev/null 2>&1; then
  # shellcheck source=SCRIPTDIR/../tests/e2e/dockerd.sh
  source "$root/tests/e2e/dockerd.sh"
  echo "build-image: no docker daemon answers; starting a private one" >&2
  private_daemon=1
  e2e_dockerd_start || die "could not start a private dockerd"
  export DOCKER_HOST=unix://$E2E_SOCK DOCKER_CONFIG=$E2E_DIR/cli-config
fi

# The classic builder: FROM scratch + COPY needs neither BuildKit nor a registry. (Its
# deprecation notice on stderr is shown only if the build fails.) --no-cache: its cache does not
# key a step on the platform, so an arm64 build after an amd64 one in the same daemon could reuse
# the amd64 image of a step; the build is one COPY, nothing worth caching.
if ! DOCKER_BUILDKIT=0 docker build --no-cache --quiet --platform "$platform" -t "$image" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  "$ctx" >"$ctx/build.log" 2>&1; then
  cat "$ctx/build.log" >&2
  die "docker build failed"
fi
got=$(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$image")
[[ $got == "$platform" ]] || die "built $image for $got, not $platform"
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "build-image: built $image ($platform, $((size / 1024)) KiB, $(wc -w <<<"$libs") libraries) with DOCKER_HOST=${DOCKER_HOST:-default}" >&2
if [[ -n $private_daemon ]]; then
  docker save -o "$build/sockwarden-image.tar" "$image"
  echo "build-image: saved to $build/sockwarden-image.tar (docker load -i $build/sockwarden-image.tar)" >&2
fi
