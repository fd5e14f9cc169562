#!/usr/bin/env bash
# End-to-end: sockwarden against a real, test-private dockerd.
#
#   test_dockerd_trace.sh [TIER] [SOCKWARDEN_BINARY]
#     TIER     socket-tp (default) or syscall-tp
#     BINARY   default: $SOCKWARDEN, else build/userspace/sockwarden next to this checkout
#
# Scenario (the classic docker.sock escalation):
#   1. host:      docker ps, docker version
#   2. container "attacker" (local/busybox:1, --network none) with the daemon socket
#      bind-mounted at a different path (/host/d.sock) and a static docker CLI bind-mounted in,
#      runs `docker ps` and `docker run --privileged -v /:/host local/busybox:1 true`
#      (created, then fails to start in this sandbox: expected, see PLATFORM.md).
# Checks (check_dockerd_trace.py): (a) host CLI connect/send with GET /v.../containers/json,
# (b) in-container connect on the host socket's inode and POST /v.../containers/create,
# (e) attribution: container attacker / image local/busybox:1 / runtime docker / the docker
# executable inside, flagged container-originated + unexpected-caller; the host CLI, on the
# expected list, carries neither flag,
# (c) socket-tp: HTTP/1.1 reply on the request's connection, (d) zero lost events,
# (g) one decoded request event for the container's create: privileged, host-mount /, caller
# attacker, severity critical, status 201 (socket-tp); the env secret never in the output.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root / docker tools missing: run scripts/setup.sh).
# Cleanup (trap): agent and daemon stopped by pid, containers removed, mounts and temp dir gone.
# E2E_KEEP=1 keeps the temp dir (events, logs) for debugging; E2E_CTR_CLI=PATH picks the docker
# CLI bind-mounted into the container (default: a static one, see e2e_static_docker_cli).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIER=${1:-socket-tp}
BIN=${2:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
AGENT_MAX_SEC=${AGENT_MAX_SEC:-150}   # --duration safety cap; the test stops the agent itself

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"

e2e_check_tier_and_binary "$TIER" "$BIN"
if ! e2e_require_tools; then
  echo "SKIP: prerequisites missing (see above)"
  exit 77
fi

AGENT_PID=
T_START=$SECONDS
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  e2e_agent_stop
  e2e_dockerd_stop
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*"; exit 1; }

e2e_log "tier $TIER, binary $BIN"
e2e_dockerd_start || fail "could not start a private dockerd"

# The CLI bind-mounted into the container must run in a busybox rootfs: prefer a static one.
if [[ -n ${E2E_CTR_CLI:-} ]]; then
  CTR_CLI=$E2E_CTR_CLI   # forced (e.g. /usr/bin/docker to exercise the dynamic fallback)
  e2e_log "in-container docker CLI: $CTR_CLI (forced by E2E_CTR_CLI)"
elif CTR_CLI=$(e2e_static_docker_cli); then
  e2e_log "in-container docker CLI: $CTR_CLI (static)"
else
  CTR_CLI=$(readlink -f "$(command -v docker)")
  e2e_log "no static docker CLI; $CTR_CLI is dynamic, its libraries go into the image"
fi
e2e_build_busybox_image "$CTR_CLI" || fail "could not import local/busybox:1"

# The host's CLI runs from a path of its own so that the agent can be told it is
# expected (--expect), while the same binary inside the container is not.
HOST_CLI=$E2E_DIR/hostbin/docker
mkdir -p "$E2E_DIR/hostbin"
cp "$(readlink -f "$(command -v docker)")" "$HOST_CLI"
e2e_docker() { DOCKER_CONFIG="$E2E_DIR/cli-config" "$HOST_CLI" -H "unix://$E2E_SOCK" "$@"; }

SOCK_INODE=$(stat -c %i "$E2E_SOCK")
CSOCK=$E2E_DIR/containerd/containerd.sock
CSOCK_INODE=$(stat -c %i "$CSOCK")
HOST_MNTNS=$(stat -L -c %i /proc/self/ns/mnt)
EVENTS=$E2E_DIR/events.jsonl
AGENT_LOG=$E2E_DIR/agent.log

# --- agent -------------------------------------------------------------------
# containerd's socket is watched too: ctr's gRPC calls are decoded (HTTP/2, HPACK, protobuf).
# --payload-cap 16384: containerd's Containers/Create carries the whole OCI spec (several KiB).
"$BIN" run --no-default-sockets --socket "$E2E_SOCK" --socket "$CSOCK" --payload-cap 16384 \
  --tier "$TIER" --duration "$AGENT_MAX_SEC" \
  --expect "exe:$HOST_CLI" --containerd-state "$E2E_DIR/containerd/state" \
  >"$EVENTS" 2>"$AGENT_LOG" &
AGENT_PID=$!
t0=$SECONDS
until grep -q "watching $E2E_SOCK" "$AGENT_LOG" 2>/dev/null; do
  if ! kill -0 "$AGENT_PID" 2>/dev/null; then
    cat "$AGENT_LOG"
    fail "agent exited before watching $E2E_SOCK"
  fi
  ((SECONDS - t0 < 30)) || { cat "$AGENT_LOG"; fail "agent not watching $E2E_SOCK after 30s"; }
  sleep 0.1
done
e2e_log "agent pid $AGENT_PID is watching $E2E_SOCK (inode $SOCK_INODE)"

# --- workload ----------------------------------------------------------------
e2e_docker ps >/dev/null || fail "host: docker ps"
e2e_docker version >/dev/null || fail "host: docker version"

# In the container the CLI's config goes to /tmp (HOME=/root does not exist in the image).
CTR_SCRIPT='
set -e
docker -H unix:///host/d.sock ps
if docker -H unix:///host/d.sock run --privileged -v /:/host -e API_TOKEN=hunter2-e2e local/busybox:1 true; then
  echo "privileged container ran"
else
  echo "privileged container created but did not start (expected in this sandbox)"
fi'
e2e_docker run --name attacker --network none \
  -e DOCKER_CONFIG=/tmp/.docker \
  -v "$E2E_SOCK:/host/d.sock" \
  -v "$CTR_CLI:/usr/local/bin/docker:ro" \
  local/busybox:1 sh -c "$CTR_SCRIPT" || fail "container 'attacker' failed (exit $?)"
CID=$(e2e_docker inspect -f '{{.Id}}' attacker) || fail "docker inspect attacker"
[[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "unexpected container id '$CID'"
e2e_log "attacker container $CID"

# A plain containerd container (ctr, namespace "swtest": cgroup /swtest/<id>) calling the
# daemon through the same kind of bind mount: the containerd layout, exercised for real.
e2e_docker save local/busybox:1 | ctr -a "$CSOCK" -n swtest images import - >/dev/null ||
  fail "ctr images import"
CTRD_ID=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
timeout 60 ctr -a "$CSOCK" -n swtest run --rm \
  --mount "type=bind,src=$E2E_SOCK,dst=/host/d.sock,options=rbind:rw" \
  --mount "type=bind,src=$CTR_CLI,dst=/usr/local/bin/docker,options=rbind:ro" \
  docker.io/local/busybox:1 "$CTRD_ID" \
  sh -c 'DOCKER_CONFIG=/tmp/.docker docker -H unix:///host/d.sock version >/dev/null' ||
  fail "ctr run (containerd container) failed"
e2e_log "containerd container $CTRD_ID (namespace swtest)"

# --- stop the agent (it drains its ring buffer and pending connects on SIGTERM) -----------
sleep 1
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
agent_rc=$?
AGENT_PID=
echo "--- agent log:"
cat "$AGENT_LOG"
[[ $agent_rc -eq 0 ]] || fail "agent exited with status $agent_rc"
if grep -qE '\[(error|critical)\]' "$AGENT_LOG"; then
  fail "agent logged errors"
fi

# Every event the agent wrote matches the published JSON Schema.
python3 "$HERE/../schema/validate_events.py" --require-actions agent-start,agent-stop "$EVENTS" || fail "events do not match schema/sockwarden-event.schema.json"
python3 "$HERE/check_dockerd_trace.py" "$EVENTS" --tier "$TIER" --inode "$SOCK_INODE" --containerd-inode "$CSOCK_INODE" \
  --container-id "$CID" --host-mntns "$HOST_MNTNS" --host-cli "$HOST_CLI" --containerd-id "$CTRD_ID"
