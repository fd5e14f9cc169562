#!/usr/bin/env bash
# End-to-end: the agent in a cgroup namespace of its own (what a Kubernetes pod on a cgroup v2
# node gets; docs/kubernetes-cgroupns.md), against a real, test-private dockerd.
#
#   test_cgroupns_trace.sh [SOCKWARDEN_BINARY]
#
# Four agents (socket-tp), each started by cgroupns_exec.sh in a private mount namespace, moved
# into a cgroup of its own below the host's root and then into a new cgroup namespace, with a
# fresh cgroup2 (rooted at that namespace) mounted at the host's mount point, as a pod's
# runtime does:
#   A  the DaemonSet's setup: the host's hierarchy bind-mounted read-only (staged before the
#      namespace existed, as a hostPath volume is, and listed after the namespace's own mount)
#      plus --host-root; the agent must find the mount by itself;
#   D  the same mount named with --host-cgroup2;
#   B  no such mount, --host-root /proc/<test shell>/root (the hierarchy found at the host's mount
#      point, as the DaemonSet's --host-root /proc/1/root does);
#   C  neither (the negative control: proves the setup hides the host's hierarchy).
# A container (local/busybox:1, socket bind-mounted at /host/d.sock) then runs `docker ps`
# through `docker exec`. Before that, the test asserts that the agents' cgroup namespaces differ
# from the host's, that /proc/<ctr pid>/cgroup read in them is namespace-relative ("0::/../.."),
# and that their own cgroup2 mount is a subtree, so no old path-based route can pass.
# Checks (check_cgroupns_trace.py): A, B and D attribute the call to the container by name and id
# with the host path /docker/<id>, flagged container-originated; the host CLI's `docker exec`
# is not; C attributes nothing to the container.
#
# Exit: 0 pass, 1 fail, 77 prerequisites missing (ctest counts 77 as a failure here).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
AGENT_MAX_SEC=${AGENT_MAX_SEC:-120}

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"

[[ -x $BIN ]] || { echo "FAIL: sockwarden binary not found at $BIN"; exit 1; }
if ! e2e_require_tools; then
  echo "SKIP: prerequisites missing (see above)"
  exit 77
fi
for t in unshare nsenter mount; do
  command -v "$t" >/dev/null || { echo "SKIP: $t missing (util-linux, mount)"; exit 77; }
done

fail() { echo "FAIL: $*"; exit 1; }

HOSTCG=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
[[ -n $HOSTCG ]] || fail "no cgroup2 mount on this host"
[[ $(stat -c %i "$HOSTCG") == 1 ]] || fail "$HOSTCG is not the root of the cgroup2 hierarchy (test run inside a cgroup namespace?)"
HOST_CGNS=$(readlink /proc/self/ns/cgroup)

declare -A AGENT_PID=() AGENT_CG=()
T_START=$SECONDS
cleanup() {
  local rc=$? n
  trap - EXIT INT TERM
  for n in "${!AGENT_PID[@]}"; do
    local p=${AGENT_PID[$n]}
    if [[ -n $p ]] && kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null
      e2e_wait_gone "$p" 100 || kill -KILL "$p" 2>/dev/null
      wait "$p" 2>/dev/null
    fi
  done
  e2e_dockerd_stop
  for n in "${!AGENT_CG[@]}"; do
    [[ -d ${AGENT_CG[$n]} ]] && { rmdir "${AGENT_CG[$n]}" 2>/dev/null || e2e_log "cgroup ${AGENT_CG[$n]} still in use"; }
  done
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_dockerd_start || fail "could not start a private dockerd"
CTR_CLI=$(e2e_static_docker_cli) || CTR_CLI=$(readlink -f "$(command -v docker)")
e2e_build_busybox_image "$CTR_CLI" || fail "could not import local/busybox:1"
SOCK_INODE=$(stat -c %i "$E2E_SOCK")
# The host's CLI from a path of its own, so that its calls are told apart from the container's.
HOST_CLI=$E2E_DIR/hostbin/docker
mkdir -p "$E2E_DIR/hostbin"
cp "$(readlink -f "$(command -v docker)")" "$HOST_CLI"
e2e_docker() { DOCKER_CONFIG="$E2E_DIR/cli-config" "$HOST_CLI" -H "unix://$E2E_SOCK" "$@"; }

# The container first (its create is not what this test is about), idle until exec'd into.
e2e_docker run -d --name cgnsvictim --network none -e DOCKER_CONFIG=/tmp/.docker \
  -v "$E2E_SOCK:/host/d.sock" -v "$CTR_CLI:/usr/local/bin/docker:ro" \
  local/busybox:1 sleep 600 >/dev/null || fail "docker run cgnsvictim"
CID=$(e2e_docker inspect -f '{{.Id}}' cgnsvictim) || fail "docker inspect"
CTR_PID=$(e2e_docker inspect -f '{{.State.Pid}}' cgnsvictim) || fail "docker inspect pid"
[[ $CID =~ ^[0-9a-f]{64}$ && $CTR_PID =~ ^[0-9]+$ && $CTR_PID -gt 0 ]] || fail "container id '$CID' pid '$CTR_PID'"
HOST_VIEW_OF_CTR=$(awk -F: '$1 == "0" {print $3}' "/proc/$CTR_PID/cgroup")
[[ $HOST_VIEW_OF_CTR == "/docker/$CID" ]] || fail "container cgroup on the host is '$HOST_VIEW_OF_CTR', expected /docker/$CID"

start_agent() {  # NAME VIEW(-|dir) ARGS...
  local name=$1 view=$2
  shift 2
  local cg=$HOSTCG/sw-cgns-$name-$$
  mkdir "$cg" || fail "mkdir $cg"
  AGENT_CG[$name]=$cg
  unshare --mount --propagation private -- "$HERE/cgroupns_exec.sh" "$cg" "$HOSTCG" "$view" -- \
    "$BIN" run --no-default-sockets --socket "$E2E_SOCK" --tier socket-tp --duration "$AGENT_MAX_SEC" \
    --state-dir "$E2E_DIR/state-$name" "$@" \
    >"$E2E_DIR/events-$name.jsonl" 2>"$E2E_DIR/agent-$name.log" &
  AGENT_PID[$name]=$!
}

# PID 1 of this sandbox is not ptrace-readable, so the test's own shell (in the host's mount and
# cgroup namespaces) plays the node's PID 1 behind --host-root (the DaemonSet passes /proc/1/root:
# the host's mount namespace for the caller classification and dockerd's state).
start_agent A "$E2E_DIR/host-cgroup2-A" --host-root "/proc/$$/root"
start_agent B - --host-root "/proc/$$/root"
start_agent C -
start_agent D "$E2E_DIR/host-cgroup2-D" --host-root "/proc/$$/root" --host-cgroup2 "$E2E_DIR/host-cgroup2-D"

for n in A B C D; do
  t0=$SECONDS
  until grep -q "ready: tier" "$E2E_DIR/agent-$n.log" 2>/dev/null; do
    if ! kill -0 "${AGENT_PID[$n]}" 2>/dev/null; then
      cat "$E2E_DIR/agent-$n.log"
      fail "agent $n exited before it was ready"
    fi
    ((SECONDS - t0 < 60)) || { cat "$E2E_DIR/agent-$n.log"; fail "agent $n not ready after 60s"; }
    sleep 0.2
  done
done
e2e_log "agents A=${AGENT_PID[A]} B=${AGENT_PID[B]} C=${AGENT_PID[C]} D=${AGENT_PID[D]} ready"

# --- the setup really is a pod's: nothing but the cgroup id can attribute the caller -------
for n in A B C D; do
  p=${AGENT_PID[$n]}
  ns=$(readlink "/proc/$p/ns/cgroup")
  [[ -n $ns && $ns != "$HOST_CGNS" ]] || fail "agent $n: cgroup namespace $ns is the host's ($HOST_CGNS)"
  own=$(nsenter -t "$p" -C cat "/proc/$p/cgroup" | awk -F: '$1 == "0" {print $3}')
  [[ $own == / ]] || fail "agent $n sees its own cgroup as '$own', expected / (its namespace root)"
  seen=$(nsenter -t "$p" -C cat "/proc/$CTR_PID/cgroup" | awk -F: '$1 == "0" {print $3}')
  [[ $seen == /../* && $seen != "/docker/$CID" ]] ||
    fail "agent $n sees the container's cgroup as '$seen': not namespace-relative"
  ino=$(nsenter -t "$p" -m stat -c %i "$HOSTCG")
  [[ $ino != 1 ]] || fail "agent $n: $HOSTCG in its mount namespace is the whole hierarchy (inode 1)"
  e2e_log "agent $n: cgroupns $ns (host $HOST_CGNS), container seen as 0::$seen, its $HOSTCG is inode $ino"
done

# --- workload -------------------------------------------------------------------------
e2e_docker exec cgnsvictim docker -H unix:///host/d.sock ps >/dev/null || fail "docker exec ... docker ps"
sleep 1

for n in A B C D; do
  kill -TERM "${AGENT_PID[$n]}"
  wait "${AGENT_PID[$n]}"
  rc=$?
  AGENT_PID[$n]=
  echo "--- agent $n log:"
  cat "$E2E_DIR/agent-$n.log"
  [[ $rc -eq 0 ]] || fail "agent $n exited with status $rc"
  if grep -qE '\[(error|critical)\]' "$E2E_DIR/agent-$n.log"; then fail "agent $n logged errors"; fi
  grep -q "runs in a cgroup namespace of its own" "$E2E_DIR/agent-$n.log" ||
    fail "agent $n did not notice its cgroup namespace"
done
grep -q "cgroup2 hierarchy: $E2E_DIR/host-cgroup2-A (found via mount)" "$E2E_DIR/agent-A.log" ||
  fail "agent A did not find the host's hierarchy among its mounts"
grep -q "cgroup2 hierarchy: $E2E_DIR/host-cgroup2-D (found via --host-cgroup2)" "$E2E_DIR/agent-D.log" ||
  fail "agent D did not use --host-cgroup2"
grep -q "cgroup2 hierarchy: /proc/$$/root$HOSTCG (found via --host-root)" "$E2E_DIR/agent-B.log" ||
  fail "agent B did not find the hierarchy under --host-root"
grep -q "shows only a sub-tree" "$E2E_DIR/agent-C.log" || fail "agent C did not warn about its sub-tree"

python3 "$HERE/check_cgroupns_trace.py" --inode "$SOCK_INODE" --host-cli "$HOST_CLI" --container-id "$CID" --container-name cgnsvictim \
  --attributed "$E2E_DIR/events-A.jsonl" --attributed "$E2E_DIR/events-B.jsonl" \
  --attributed "$E2E_DIR/events-D.jsonl" \
  --control "$E2E_DIR/events-C.jsonl"
