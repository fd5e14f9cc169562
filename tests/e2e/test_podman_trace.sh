#!/usr/bin/env bash
# End-to-end: sockwarden against a real, test-private podman (Debian's podman 4.x) serving its
# Docker-compatible API (`podman system service`), the podman layout exercised for real.
#
#   test_podman_trace.sh [TIER] [SOCKWARDEN_BINARY]
#
# Scenario: the host's docker CLI (on the expected list) asks the podman socket for its
# version; container "pmattacker" (localhost/busybox:1, cgroup /libpod_parent/libpod-<id>)
# has the podman socket bind-mounted at /run/other.sock and a static docker CLI mounted in,
# and runs `docker ps` and `docker run --privileged -v /:/host ...` against it.
# Checks (check_podman_trace.py): the container's events carry container.name pmattacker,
# image localhost/busybox:1, runtime podman and the id (names come from containers/storage's
# containers.json under --containers-storage, never from the socket), the executable inside,
# container-originated + unexpected-caller; the host CLI has neither flag; nothing lost.
#
# Exit: 0 pass, 1 fail, 77 prerequisites missing (fails the ctest: CI never passes by skipping).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIER=${1:-socket-tp}
BIN=${2:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
AGENT_MAX_SEC=${AGENT_MAX_SEC:-150}

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"
# shellcheck source=podman.sh
source "$HERE/podman.sh"

e2e_check_tier_and_binary "$TIER" "$BIN"
e2e_podman_require_tools || { echo "SKIP: prerequisites missing (see above)"; exit 77; }
CTR_CLI=$(e2e_static_docker_cli || readlink -f "$(command -v docker)")
[[ -x $CTR_CLI ]] || { echo "SKIP: no docker CLI (run scripts/setup.sh)"; exit 77; }

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

e2e_log "tier $TIER, binary $BIN, in-container CLI $CTR_CLI"
e2e_podman_start "$CTR_CLI" || fail "could not start a private podman service"

HOST_CLI=$PM_DIR/hostbin/docker
mkdir -p "$PM_DIR/hostbin"
cp "$(readlink -f "$(command -v docker)")" "$HOST_CLI"
EVENTS=$PM_DIR/events.jsonl
AGENT_LOG=$PM_DIR/agent.log

"$BIN" run --no-default-sockets --socket "$PM_SOCK" --tier "$TIER" --duration "$AGENT_MAX_SEC" \
  --expect "exe:$HOST_CLI" --containers-storage "$PM_DIR/root" --containers-runroot "$PM_DIR/run" \
  >"$EVENTS" 2>"$AGENT_LOG" &
AGENT_PID=$!
t0=$SECONDS
until grep -q "watching $PM_SOCK" "$AGENT_LOG" 2>/dev/null; do
  kill -0 "$AGENT_PID" 2>/dev/null || { cat "$AGENT_LOG"; fail "agent exited before watching $PM_SOCK"; }
  ((SECONDS - t0 < 30)) || { cat "$AGENT_LOG"; fail "agent not watching $PM_SOCK after 30s"; }
  sleep 0.1
done

DOCKER_CONFIG=$PM_DIR/cli-config "$HOST_CLI" -H "unix://$PM_SOCK" version >/dev/null ||
  fail "host: docker version against the podman socket"

CTR_SCRIPT='
set -e
docker -H unix:///run/other.sock ps
if docker -H unix:///run/other.sock run --privileged -v /:/host localhost/busybox:1 true; then
  echo "privileged container ran"
else
  echo "privileged container did not run (sandbox limits: expected)"
fi'
e2e_podman run --name pmattacker --network none "${PM_ULIMITS[@]}" \
  -e DOCKER_CONFIG=/tmp/.docker \
  -v "$PM_SOCK:/run/other.sock" -v "$CTR_CLI:/usr/local/bin/docker:ro" \
  localhost/busybox:1 sh -c "$CTR_SCRIPT" || fail "container 'pmattacker' failed (exit $?)"
CID=$(e2e_podman inspect -f '{{.Id}}' pmattacker) || fail "podman inspect pmattacker"
[[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "unexpected container id '$CID'"
e2e_log "pmattacker container $CID"

sleep 1
e2e_agent_finish "$AGENT_LOG" || exit 1

# Every event the agent wrote matches the published JSON Schema.
python3 "$HERE/../schema/validate_events.py" --require-actions agent-start,agent-stop "$EVENTS" || fail "events do not match schema/sockwarden-event.schema.json"
python3 "$HERE/check_podman_trace.py" "$EVENTS" --container-id "$CID" --host-cli "$HOST_CLI" \
  --inode "$(stat -c %i "$PM_SOCK")"
