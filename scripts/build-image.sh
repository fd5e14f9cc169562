#!/usr/bin/env bash
# Build the container image sockwarden:local, offline (no registry, no network).
#
#   scripts/build-image.sh [BUILD_DIR]      BUILD_DIR default: ./build (must hold the built agent)
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
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || { echo "build-image: no build dir ${1:-$root/build}" >&2; exit 2; }
bin=${SOCKWARDEN:-$build/userspace/sockwarden}
image=${SOCKWARDEN_IMAGE:-sockwarden:local}

die() { echo "build-image: $*" >&2; exit 1; }
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

# Copy PATH into the rootfs at the same place, following its symlink chain one link at a
# time so that every name the loader looks up (libbpf.so.1 -> libbpf.so.1.4.1) exists.
copy_with_links() {
  local p=$1 t n=0
  while :; do
    mkdir -p "$rootfs$(dirname "$p")"
    cp -P --preserve=mode,links "$p" "$rootfs$p"
    [[ -L $p ]] || return 0
    t=$(readlink "$p")
    [[ $t == /* ]] || t=$(dirname "$p")/$t
    p=$t
    ((++n < 16)) || die "symlink loop at $1"
  done
}

objcopy --strip-debug "$bin" "$rootfs/usr/bin/sockwarden"
libs=$(ldd "$bin" | grep -oE '/[^ ]+' | sort -u)
[[ -n $libs ]] || die "ldd found no libraries for $bin (a static binary? then drop this step)"
for lib in $libs; do copy_with_links "$lib"; done
cp "$root/deploy/docker/config.yaml" "$rootfs/etc/sockwarden/config.yaml"
chmod 1777 "$rootfs/tmp"
cp "$root/deploy/docker/Dockerfile" "$ctx/Dockerfile"

# Does the rootfs run on its own? (chroot: the copied loader and libraries only.)
chroot "$rootfs" /usr/bin/sockwarden --help >/dev/null ||
  die "the assembled rootfs does not run sockwarden --help (missing library?)"

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
# deprecation notice on stderr is shown only if the build fails.)
if ! DOCKER_BUILDKIT=0 docker build --quiet -t "$image" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  "$ctx" >"$ctx/build.log" 2>&1; then
  cat "$ctx/build.log" >&2
  die "docker build failed"
fi
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "build-image: built $image ($((size / 1024)) KiB, $(wc -w <<<"$libs") libraries) with DOCKER_HOST=${DOCKER_HOST:-default}" >&2
if [[ -n $private_daemon ]]; then
  docker save -o "$build/sockwarden-image.tar" "$image"
  echo "build-image: saved to $build/sockwarden-image.tar (docker load -i $build/sockwarden-image.tar)" >&2
fi
