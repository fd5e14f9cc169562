#!/usr/bin/env bash
# End-to-end: request effects (docs/request-effects.md) against a real, test-private podman
# (its Docker-compatible API), as test_dockerd_effects.sh does for dockerd: the same client in
# --podman mode (each create followed by a start: podman writes the OCI spec, the ground truth,
# at the first start), the effect read from <graph root>/vfs-containers/<id>/userdata/config.json.
#
#   test_podman_effects.sh [TIER] [SOCKWARDEN_BINARY]     TIER: socket-tp (default) or syscall-tp
#
# A host process (tests/e2e/effects_client.py) sends what a monitor that trusts the caller's
# bytes cannot read: creates with Privileged + Binds ["/:/host"] behind 16 KiB of JSON
# whitespace in one write, the same dribbled in 512-byte writes, the same chunked, one with
# lowercase keys (read case-insensitively, as the compat API does), and an exec whose command sits
# behind the same padding. The agent runs with its default payload cap (4 KiB), so the padded
# bodies cannot be decoded. check_dockerd_effects.py asserts, on the request events of that
# client's pid: the effect read from podman's OCI spec (privileged, host mount /, the container
# id the daemon answered), the recomputed flags (privileged, host-mount, effect-mismatch where
# the body did not say it) and severity (high or above); for the exec, the command runc ran.
# Then the docker CLI, pointed at podman's socket, builds, tags, loads a poisoned tarball and
# imports; check_image_effects.py asserts each is judged by podman's images.json.
#
# Exit: 0 pass, 1 fail (a missing prerequisite fails too: see tests.cmake).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIER=${1:-socket-tp}
BIN=${2:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
AGENT_MAX_SEC=${AGENT_MAX_SEC:-120}

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"
# shellcheck source=podman.sh
source "$HERE/podman.sh"

e2e_check_tier_and_binary "$TIER" "$BIN"
if ! e2e_podman_require_tools; then
  echo "SKIP: prerequisites missing (see above)"
  exit 77
fi

AGENT_PID=
T_START=$SECONDS
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  e2e_agent_stop
  e2e_podman_stop
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

e2e_log "tier $TIER, binary $BIN"
e2e_podman_start || fail "could not start a private podman service"
e2e_podman run -d --name eff-target --network none "${PM_ULIMITS[@]}" localhost/busybox:1 sleep 300 >/dev/null ||
  fail "could not start the exec target container"
TARGET_ID=$(e2e_podman inspect -f '{{.Id}}' eff-target) || fail "podman inspect eff-target"

# The image cases' material, made before the agent starts (not through the socket): image A is
# localhost/busybox:1; C (docker.io/local/sw-evil:1: what the compat API, like Docker, calls
# local/sw-evil:1) is imported from another rootfs; C's archive renamed localhost/busybox:1 is the
# poisoned tarball; an import rootfs.
IMAGE_A=sha256:$(e2e_podman inspect -f '{{.Id}}' localhost/busybox:1) || fail "podman inspect localhost/busybox:1"
mkdir -p "$PM_DIR/evil-root/etc" "$PM_DIR/import-root/etc" "$PM_DIR/build-ctx"
printf 'FROM localhost/busybox:1\nLABEL sw.case=image-build\n' >"$PM_DIR/build-ctx/Dockerfile"
echo sw-evil >"$PM_DIR/evil-root/etc/hostname"
tar -C "$PM_DIR/evil-root" -c . | e2e_podman import - docker.io/local/sw-evil:1 >/dev/null || fail "podman import C"
IMAGE_C=sha256:$(e2e_podman inspect -f '{{.Id}}' docker.io/local/sw-evil:1) || fail "podman inspect C"
e2e_podman save --format docker-archive -o "$PM_DIR/evil.tar" docker.io/local/sw-evil:1 >/dev/null ||
  fail "podman save C"
python3 "$HERE/poison_tarball.py" "$PM_DIR/evil.tar" "$PM_DIR/poisoned.tar" localhost/busybox:1 ||
  fail "poisoned tarball"
echo sw-imported >"$PM_DIR/import-root/etc/hostname"
tar -C "$PM_DIR/import-root" -cf "$PM_DIR/import.tar" . || fail "import tarball"
pm_docker() { DOCKER_CONFIG="$PM_DIR/cli-config" docker -H "unix://$PM_SOCK" "$@"; }

EVENTS=$PM_DIR/events.jsonl
AGENT_LOG=$PM_DIR/agent.log
# --docker-data-root: the private daemon's state (a daemon found running is searched too).
"$BIN" run --no-default-sockets --socket "$PM_SOCK" --tier "$TIER" --duration "$AGENT_MAX_SEC" \
  --containers-storage "$PM_DIR/root" --containers-runroot "$PM_DIR/run" --no-audit >"$EVENTS" 2>"$AGENT_LOG" &
AGENT_PID=$!
e2e_agent_wait_ready "$AGENT_LOG" 30 || fail "agent not ready"

CLIENT_OUT=$PM_DIR/client.json
python3 "$HERE/effects_client.py" "$PM_SOCK" eff-target --podman >"$CLIENT_OUT" || fail "effects client failed"
cat "$CLIENT_OUT"
# Each effect arrives when podman's state or the exec record shows it, or as "unknown" when
# the effect stage's window ends. A missing one is reported by the checks below.
e2e_wait_effects "$EVENTS" "$CLIENT_OUT" 20

# Image requests through podman's compat API, each waited for before the next: a build that tags
# a new image B, a tag that points local/sw-evil:1 at B (it named C), a load of the poisoned
# tarball that points localhost/busybox:1 at C, an import.
DOCKER_BUILDKIT=0 pm_docker build -q -t local/sw-built:1 "$PM_DIR/build-ctx" >/dev/null || fail "docker build (podman)"
IMAGE_B=sha256:$(e2e_podman inspect -f '{{.Id}}' docker.io/local/sw-built:1) || fail "podman inspect built"
e2e_wait_image "$EVENTS" image-build
pm_docker tag local/sw-built:1 local/sw-evil:1 || fail "docker tag (podman)"
e2e_wait_image "$EVENTS" image-tag
pm_docker load -q -i "$PM_DIR/poisoned.tar" >/dev/null || fail "docker load (podman)"
e2e_wait_image "$EVENTS" image-load
pm_docker import "$PM_DIR/import.tar" local/sw-imported:1 >/dev/null || fail "docker import (podman)"
IMAGE_I=sha256:$(e2e_podman inspect -f '{{.Id}}' docker.io/local/sw-imported:1) || fail "podman inspect imported"
e2e_wait_image "$EVENTS" image-pull
IMAGES_OUT=$PM_DIR/images.json
printf '{"a":"%s","b":"%s","c":"%s","imported":"%s","busybox":"localhost/busybox:1"}\n' "$IMAGE_A" "$IMAGE_B" "$IMAGE_C" \
  "$IMAGE_I" >"$IMAGES_OUT"
e2e_log "images: A $IMAGE_A, built B $IMAGE_B, C $IMAGE_C, imported $IMAGE_I"
e2e_agent_finish "$AGENT_LOG" || exit 1
python3 "$HERE/../schema/validate_events.py" "$EVENTS" || fail "events do not match schema/sockwarden-event.schema.json"
python3 "$HERE/check_dockerd_effects.py" "$EVENTS" --client "$CLIENT_OUT" --tier "$TIER" --target-id "$TARGET_ID" --runtime podman
rc=$?
python3 "$HERE/check_image_effects.py" "$EVENTS" --images "$IMAGES_OUT" --source podman-image-state || rc=1
exit $rc
