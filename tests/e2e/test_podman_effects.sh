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
e2e_agent_finish "$AGENT_LOG" || exit 1
python3 "$HERE/../schema/validate_events.py" "$EVENTS" || fail "events do not match schema/sockwarden-event.schema.json"
python3 "$HERE/check_dockerd_effects.py" "$EVENTS" --client "$CLIENT_OUT" --tier "$TIER" --target-id "$TARGET_ID" --runtime podman
