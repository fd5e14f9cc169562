#!/usr/bin/env bash
# End-to-end: request effects (docs/request-effects.md) against a real, test-private containerd
# (Debian's containerd, its own gRPC API). The effect is the OCI spec of the task's bundle,
# <state>/io.containerd.runtime.v2.task/<namespace>/<id>/config.json, which containerd writes
# for runc when the task is created: ground truth the caller cannot shape.
#
#   test_containerd_effects.sh [TIER] [SOCKWARDEN_BINARY]     TIER: socket-tp (default) or syscall-tp
#
# Three callers, in namespace "swtest", on a busybox rootfs (ctr run --rootfs: no image needed):
#   - `ctr run -d --privileged --mount type=bind,src=/,dst=/host`: Go's gRPC client; its 12 KiB
#     spec is past the agent's 4 KiB payload cap, so the create's body is unread;
#   - tests/e2e/containerd_client.py (gRPC's C core, as Python/Ruby/C++ clients are): the same
#     privileged spec behind 16 KiB of JSON whitespace inside the protobuf Any, HEADERS and both
#     DATA frames in one sendmsg of 32 iovecs; then Tasks/Create and Start on the same connection;
#   - `ctr run -d` of a plain container: verified, not privileged, no mismatch (no false alarm).
# Then a `ctr container create --privileged` never given a task, judged by the spec containerd
# stored in its metadata database (source containerd-metadata), and an image import by ctr
# (Images/Create), judged by the reference that database now holds. Before it, two execs into running tasks (Tasks/Exec + Tasks/Start of the exec), whose effect is the
# kernel's exec record of the process runc started (source exec-record):
#   - the client's, into its privileged container: the container's own process (every
#     capability) running `/bin/sh -c 'sleep 1'`, its spec and exec id behind 16 KiB of JSON
#     whitespace: effect-mismatch (unread-command, privileged), severity high;
#   - `ctr task exec` of the same command in the plain container: verified, no mismatch.
# check_containerd_effects.py asserts, on the request events of each caller's pid: the effect
# (verified from containerd-bundle, the container id, privileged, host mount /), the flags
# (privileged, host-mount, effect-mismatch where the body did not say it) and severity.
#
# Exit: 0 pass, 1 fail (a missing prerequisite fails too: see tests.cmake).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIER=${1:-socket-tp}
BIN=${2:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
AGENT_MAX_SEC=${AGENT_MAX_SEC:-120}
NS=swtest

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"

e2e_check_tier_and_binary "$TIER" "$BIN"
e2e_containerd_require_tools || exit 77

AGENT_PID=
T_START=$SECONDS
E2E_DIR=
RUNC_NS_NEW=
IDS=(c-priv eff-padded c-plain c-created)
ctr_() { ctr --address "$E2E_DIR/containerd/containerd.sock" --namespace "$NS" "$@"; }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  e2e_agent_stop
  if [[ -n $E2E_DIR && -S $E2E_DIR/containerd/containerd.sock ]]; then
    local id
    for id in "${IDS[@]}"; do ctr_ task kill --signal SIGKILL "$id" >/dev/null 2>&1; done
    for id in "${IDS[@]}"; do
      for _ in 1 2 3 4 5 6 7 8 9 10; do ctr_ task delete "$id" >/dev/null 2>&1 && break; sleep 0.2; done
      ctr_ container delete "$id" >/dev/null 2>&1
    done
  fi
  e2e_dockerd_stop  # no dockerd here: stops the shims and containerd by pid, removes the dir and cgroups
  # runc's state root for the namespace (the shim's default root, /run/containerd/runc/NS): ours
  # only if it was not there before; removed only when empty.
  [[ -n $RUNC_NS_NEW ]] && rmdir "$RUNC_NS_NEW" 2>/dev/null
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

e2e_log "tier $TIER, binary $BIN"
e2e_cgroups_note "$NS"
RUNC_NS_NEW=
[[ -e /run/containerd/runc/$NS ]] || RUNC_NS_NEW=/run/containerd/runc/$NS
E2E_DIR=$(mktemp -d /tmp/sw-e2e.XXXXXX) || fail "mktemp"
chmod 711 "$E2E_DIR"
e2e_containerd_start || fail "could not start a private containerd"
ROOTFS=$E2E_DIR/rootfs
e2e_busybox_rootfs "$ROOTFS" || fail "busybox rootfs"
SOCK=$E2E_DIR/containerd/containerd.sock

EVENTS=$E2E_DIR/events.jsonl
AGENT_LOG=$E2E_DIR/agent.log
# The agent finds containerd's state directory from the running daemon's --config (state = ...).
"$BIN" run --no-default-sockets --socket "$SOCK" --tier "$TIER" --duration "$AGENT_MAX_SEC" --no-audit \
  >"$EVENTS" 2>"$AGENT_LOG" &
AGENT_PID=$!
e2e_agent_wait_ready "$AGENT_LOG" 30 || fail "agent not ready"

PIDS=$E2E_DIR/callers.json
# ctr's own pid is the caller: run it (not a shell function: $! is then ctr's pid) in the background.
CTR=(ctr --address "$SOCK" --namespace "$NS")
"${CTR[@]}" run -d --privileged --mount type=bind,src=/,dst=/host,options=rbind:ro --rootfs "$ROOTFS" c-priv /bin/sleep 300 &
CTR_PRIV=$!
wait "$CTR_PRIV" || fail "ctr run --privileged failed"
SPEC=$E2E_DIR/spec.json
cp "$E2E_DIR/containerd/state/io.containerd.runtime.v2.task/$NS/c-priv/config.json" "$SPEC" ||
  fail "no bundle spec for c-priv"
CLIENT_OUT=$E2E_DIR/client.json
/usr/bin/python3 "$HERE/containerd_client.py" "$SOCK" "$NS" "$SPEC" eff-padded >"$CLIENT_OUT" ||
  fail "containerd client failed"
cat "$CLIENT_OUT"
"${CTR[@]}" run -d --rootfs "$ROOTFS" c-plain /bin/sleep 300 &
CTR_PLAIN=$!
wait "$CTR_PLAIN" || fail "ctr run (plain) failed"
# An exec as ctr does it (its process spec is the container's, under the cap: read), stdin closed.
"${CTR[@]}" task exec --exec-id plain-exec c-plain /bin/sh -c 'sleep 1' </dev/null &
CTR_EXEC=$!
wait "$CTR_EXEC" || fail "ctr task exec failed"
# A container created and never given a task: no bundle ever, its spec only in containerd's
# metadata database (meta.db), where the effect is read at the end of the window.
"${CTR[@]}" container create --privileged --mount type=bind,src=/,dst=/host,options=rbind:ro --rootfs "$ROOTFS" \
  c-created /bin/sleep 300 &
CTR_CREATED=$!
wait "$CTR_CREATED" || fail "ctr container create failed"
# An image import (`ctr images import` calls Images/Create, as pull does): judged by the
# reference containerd's metadata database (meta.db, BoltDB) now holds.
/usr/bin/python3 "$HERE/oci_image.py" "$ROOTFS" "$E2E_DIR/image.tar" docker.io/library/sw-imported:1 /bin/sh \
  >/dev/null || fail "oci_image.py"
"${CTR[@]}" images import "$E2E_DIR/image.tar" >/dev/null &
CTR_IMPORT=$!
wait "$CTR_IMPORT" || fail "ctr images import failed"
printf '{"ctr_privileged": %d, "client": %s, "ctr_plain": %d, "ctr_exec": %d, "ctr_import": %d, "ctr_created": %d}\n' \
  "$CTR_PRIV" "$(cat "$CLIENT_OUT")" "$CTR_PLAIN" "$CTR_EXEC" "$CTR_IMPORT" "$CTR_CREATED" >"$PIDS"

# Twelve risky requests (a container and a task create per caller, an exec and its start per
# exec, the create without a task, the image create), each released with its effect.
t0=$SECONDS
until (($(grep '"action":"request"' "$EVENTS" | grep -c '"effect":') >= 12)); do
  ((SECONDS - t0 < 20)) || break
  sleep 0.2
done
e2e_agent_finish "$AGENT_LOG" || exit 1
python3 "$HERE/../schema/validate_events.py" "$EVENTS" || fail "events do not match schema/sockwarden-event.schema.json"
python3 "$HERE/check_containerd_effects.py" "$EVENTS" --callers "$PIDS" --tier "$TIER"
