#!/usr/bin/env bash
# End-to-end: request effects (docs/request-effects.md) through the CRI API of a real,
# test-private containerd (Debian's, its CRI plugin enabled), as kubelet speaks it. The effect is
# the OCI spec of the bundle the CRI plugin writes at StartContainer (namespace k8s.io); a
# CreateContainer, whose id only the reply names, is tied to it by the bundle's CRI annotations
# (pod sandbox id, container name).
#
#   test_cri_effects.sh [TIER] [SOCKWARDEN_BINARY]     TIER: socket-tp (default) or syscall-tp
#
# Offline: the pod sandbox and container image is a one-layer OCI archive of a busybox rootfs
# (oci_image.py), imported with ctr. The pod uses the host network (no CNI here), and the CRI
# plugin runs with restrict_oom_score_adj (this machine lacks CAP_SYS_RESOURCE for the sandbox's
# negative OOM score). cri_client.py (gRPC's C core) creates a privileged container mounting /,
# its risky fields behind a 16 KiB label, and a plain one. check_cri_effects.py asserts on the
# client's request events: the effect (containerd-bundle, the container's id, privileged, /), the
# flags (effect-mismatch on the hidden create; none on the plain one) and severity. Then a
# PullImage (a second cri_client.py process) from a private registry (registry.sh: Debian's
# docker-registry on 127.0.0.1, the image pushed by push_oci.py): its event must carry the names
# containerd's metadata database (meta.db) holds after it, in namespace k8s.io.
#
# Exit: 0 pass, 1 fail (a missing prerequisite fails too: see tests.cmake).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIER=${1:-socket-tp}
BIN=${2:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
AGENT_MAX_SEC=${AGENT_MAX_SEC:-120}
NS=k8s.io

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"
# shellcheck source=registry.sh
source "$HERE/registry.sh"

e2e_check_tier_and_binary "$TIER" "$BIN"
e2e_containerd_require_tools || exit 77

AGENT_PID=
T_START=$SECONDS
E2E_DIR=
RUNC_NS_NEW=
SANDBOX=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  e2e_agent_stop
  if [[ -n $E2E_DIR && -S $E2E_DIR/containerd/containerd.sock ]]; then
    [[ -n $SANDBOX ]] && /usr/bin/python3 "$HERE/cri_client.py" "$E2E_DIR/containerd/containerd.sock" --remove "$SANDBOX" \
      >/dev/null 2>&1
    local c=(ctr --address "$E2E_DIR/containerd/containerd.sock" --namespace "$NS") id
    for id in $("${c[@]}" task list -q 2>/dev/null); do "${c[@]}" task kill --signal SIGKILL "$id" >/dev/null 2>&1; done
    sleep 0.5
    for id in $("${c[@]}" task list -q 2>/dev/null); do "${c[@]}" task delete --force "$id" >/dev/null 2>&1; done
    for id in $("${c[@]}" container list -q 2>/dev/null); do "${c[@]}" container delete "$id" >/dev/null 2>&1; done
  fi
  e2e_registry_stop
  e2e_dockerd_stop  # no dockerd here: stops the shims and containerd by pid, unmounts, removes the dir and cgroups
  [[ -n $RUNC_NS_NEW ]] && rmdir "$RUNC_NS_NEW" 2>/dev/null
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

e2e_log "tier $TIER, binary $BIN"
e2e_cgroups_note "$NS"
[[ -e /run/containerd/runc/$NS ]] || RUNC_NS_NEW=/run/containerd/runc/$NS
E2E_DIR=$(mktemp -d /tmp/sw-e2e.XXXXXX) || fail "mktemp"
chmod 711 "$E2E_DIR"
IMAGE=docker.io/local/swtest-pod:1
# A private registry on 127.0.0.1 (plain HTTP, a mirror entry below) for a PullImage.
e2e_registry_start "$E2E_DIR/registry" || fail "registry"
E2E_CONTAINERD_CRI="[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"$REG_ADDR\"]
  endpoint = [\"http://$REG_ADDR\"]
[plugins.\"io.containerd.grpc.v1.cri\"]
  sandbox_image = \"$IMAGE\"
  restrict_oom_score_adj = true
  [plugins.\"io.containerd.grpc.v1.cri\".containerd]
    snapshotter = \"native\"
  [plugins.\"io.containerd.grpc.v1.cri\".cni]
    bin_dir = \"$E2E_DIR/cni-bin\"
    conf_dir = \"$E2E_DIR/cni-conf\"" e2e_containerd_start || fail "could not start a private containerd with CRI"
SOCK=$E2E_DIR/containerd/containerd.sock
e2e_busybox_rootfs "$E2E_DIR/rootfs" || fail "busybox rootfs"
python3 "$HERE/oci_image.py" "$E2E_DIR/rootfs" "$E2E_DIR/image.tar" "$IMAGE" /bin/sleep 300 || fail "OCI image"
ctr --address "$SOCK" --namespace "$NS" images import --snapshotter native "$E2E_DIR/image.tar" >/dev/null ||
  fail "ctr images import"
python3 "$HERE/push_oci.py" "$E2E_DIR/image.tar" "$REG_ADDR" sw-pulled 1 >/dev/null || fail "push to the registry"

EVENTS=$E2E_DIR/events.jsonl
AGENT_LOG=$E2E_DIR/agent.log
"$BIN" run --no-default-sockets --socket "$SOCK" --tier "$TIER" --duration "$AGENT_MAX_SEC" --no-audit \
  >"$EVENTS" 2>"$AGENT_LOG" &
AGENT_PID=$!
e2e_agent_wait_ready "$AGENT_LOG" 30 || fail "agent not ready"

CLIENT_OUT=$E2E_DIR/client.json
/usr/bin/python3 "$HERE/cri_client.py" "$SOCK" "$IMAGE" swtest-pod >"$CLIENT_OUT" || fail "CRI client failed"
cat "$CLIENT_OUT"
SANDBOX=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sandbox_id"])' "$CLIENT_OUT")
# kubelet's pull (its own process): judged by the names containerd's metadata database holds after it.
PULL_OUT=$E2E_DIR/pull.json
/usr/bin/python3 "$HERE/cri_client.py" "$SOCK" --pull "$REG_ADDR/sw-pulled:1" >"$PULL_OUT" || fail "CRI PullImage failed"
cat "$PULL_OUT"

# Six risky requests: a create and a start per container, an ExecSync and the pull, each released
# with its effect.
t0=$SECONDS
until (($(grep '"action":"request"' "$EVENTS" | grep -c '"effect":') >= 6)); do
  ((SECONDS - t0 < 20)) || break
  sleep 0.2
done
e2e_agent_finish "$AGENT_LOG" || exit 1
python3 "$HERE/../schema/validate_events.py" "$EVENTS" || fail "events do not match schema/sockwarden-event.schema.json"
python3 "$HERE/check_cri_effects.py" "$EVENTS" --client "$CLIENT_OUT" --pull "$PULL_OUT" --tier "$TIER"
