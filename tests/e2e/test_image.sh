#!/usr/bin/env bash
# End-to-end: the sockwarden container image, run with least privilege, against a real dockerd.
#
#   test_image.sh [SOCKWARDEN_BINARY]     (default: $SOCKWARDEN, else build/userspace/sockwarden)
#
# 1. A private dockerd (dockerd.sh); scripts/build-image.sh builds sockwarden:local in it from
#    the given binary (offline, FROM scratch).
# 2. The agent container "sockwarden" starts with exactly the flags of deploy/docker/run-flags.sh
#    (--cap-drop ALL + the documented capabilities, --pid/--network/--cgroupns host,
#    no-new-privileges, read-only root, cgroup2 and docker's containers dir mounted read-only,
#    nothing else: no runtime socket, no --privileged), tier socket-tp, the daemon's socket
#    given as a host path and found through --host-root /proc/<pid>/root.
# 3. Once its "ready" line is in `docker logs`, container "attacker" (busybox + a static docker
#    CLI, the daemon socket bind-mounted) runs `docker run --privileged -v /:/host ...`.
# 4. check_image.py over the agent's stdout (docker logs, after `docker stop` drained it): a
#    connect and a decoded POST /containers/create request from container attacker, flagged
#    privileged + host-mount /, nothing attributed to the agent's own container; `docker
#    inspect` of the agent: Privileged=false, CapAdd == the documented set, no socket mount.
# 5. Capabilities, one at a time: the agent container is restarted without each one and must
#    visibly lose something (exit status / log line / missing socket), the reason per capability
#    being the one documented in run-flags.sh and docs/deployment.md "Container image".
#
# Exit: 0 pass, 1 fail, 77 skipped (not root / docker tools missing: run scripts/setup.sh).
# Cleanup (trap): containers, the image and the daemon (by pid), mounts and the temp dir.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-${SOCKWARDEN:-$ROOT/build/userspace/sockwarden}}

# shellcheck source=SCRIPTDIR/dockerd.sh
source "$HERE/dockerd.sh"
# shellcheck source=SCRIPTDIR/../../deploy/docker/run-flags.sh
source "$ROOT/deploy/docker/run-flags.sh"

[[ -x $BIN ]] || { echo "FAIL: sockwarden binary not found at $BIN (pass it as \$1 or \$SOCKWARDEN)"; exit 1; }
if ! e2e_require_tools; then
  echo "SKIP: prerequisites missing (see above)"
  exit 77
fi

T_START=$SECONDS
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # dockerd.sh removes the containers; the image goes with the daemon's data root.
  e2e_dockerd_stop
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

e2e_dockerd_start || fail "could not start a private dockerd"
export DOCKER_HOST=unix://$E2E_SOCK DOCKER_CONFIG=$E2E_DIR/cli-config
CTR_CLI=$(e2e_static_docker_cli) || CTR_CLI=$(readlink -f "$(command -v docker)")
e2e_build_busybox_image "$CTR_CLI" || fail "could not import local/busybox:1"
SOCKWARDEN=$BIN "$ROOT/scripts/build-image.sh" "$(dirname "$BIN")/.." || fail "build-image.sh"

# The image must hold no BPF object file and no shell: the programs come from the binary.
LAYERS=$(docker save sockwarden:local | tar -xOf - --wildcards '*/layer.tar' | tar -t) || fail "listing the image"
grep -qE '(^|/)usr/bin/sockwarden$' <<<"$LAYERS" || fail "image lacks usr/bin/sockwarden"
grep -qE '\.bpf\.o$|(^|/)bin/sh$' <<<"$LAYERS" && fail "image holds a .bpf.o or a shell"
e2e_log "image: $(wc -l <<<"$LAYERS") entries, no shell, no .bpf.o"

# Where the host's filesystem is seen from the agent's container (host PID namespace). PID 1
# is the natural choice (the image's default); this sandbox's PID 1 (firecracker init) refuses
# /proc/1/root even to root, so the test looks through dockerd, a process in the host's mount
# namespace too.
HOST_ROOT=/proc/$E2E_DOCKERD_PID/root
SW_DOCKER_CONTAINERS=$E2E_DIR/data/containers  # read by sw_docker_run_args
export SW_DOCKER_CONTAINERS
sw_docker_caps
sw_docker_run_args "" || fail "run-flags.sh"
e2e_log "capabilities: ${SW_CAPS[*]}"

# Starts the agent container NAME with the run flags minus capability $2 (if any); waits for
# its ready line or its exit. Prints "ready" or "exited N".
# The socket is named through an absolute symlink (like Debian's /var/run -> /run): it must be
# resolved inside the host root, not in the agent's container where $E2E_DIR does not exist.
ln -s "$E2E_DIR" "$E2E_DIR/via-link"
WATCHED=$E2E_DIR/via-link/docker.sock
AGENT_ARGS=(run --no-default-sockets --socket "$WATCHED" --host-root "$HOST_ROOT" --tier socket-tp)
agent_stderr() { docker logs "$1" 2>&1 >/dev/null; }

# Waits up to $3 seconds for a line matching the fixed string $2 in container $1's log.
wait_for_log() {
  local t0=$SECONDS
  while ((SECONDS - t0 < $3)); do
    grep -qF -- "$2" <<<"$(agent_stderr "$1")" && return 0
    sleep 0.2
  done
  return 1
}

start_agent() {
  local name=$1 without=${2:-} args=() a skip=
  for a in "${SW_RUN_ARGS[@]}"; do
    if [[ -n $skip ]]; then skip=; [[ $a == "$without" ]] && { args=("${args[@]:0:${#args[@]}-1}"); continue; }; fi
    [[ $a == --cap-add ]] && skip=1
    args+=("$a")
  done
  docker run -d --name "$name" "${args[@]}" sockwarden:local "${AGENT_ARGS[@]}" >/dev/null || { echo "create-failed"; return; }
  local t0=$SECONDS st
  while ((SECONDS - t0 < 20)); do
    # The log is read whole into a variable: `docker logs | grep -q` under pipefail fails at
    # random when grep exits at its match and docker logs dies of SIGPIPE (issue 21).
    if grep -q '\] ready: ' <<<"$(agent_stderr "$name")"; then echo ready; return; fi
    st=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name")
    [[ $st == exited* ]] && { echo "$st"; return; }
    sleep 0.2
  done
  echo timeout
}

# --- the least-privilege agent and the attacker ------------------------------------------
state=$(start_agent sockwarden)
[[ $state == ready ]] || { docker logs sockwarden 2>&1 | tail -20; fail "agent container: $state"; }
wait_for_log sockwarden "watching $WATCHED (inode $(stat -c %i "$E2E_SOCK")," 20 ||
  { docker logs sockwarden 2>&1 | tail; fail "agent does not watch $WATCHED (= $E2E_SOCK)"; }
e2e_log "agent container ready, watching $WATCHED through $HOST_ROOT"

CTR_SCRIPT='
docker -H unix:///host/d.sock run --privileged -v /:/host local/busybox:1 true ||
  echo "privileged container created but did not start (expected in this sandbox)"'
docker run --name attacker --network none -e DOCKER_CONFIG=/tmp/.docker \
  -v "$E2E_SOCK:/host/d.sock" -v "$CTR_CLI:/usr/local/bin/docker:ro" \
  local/busybox:1 sh -c "$CTR_SCRIPT" || fail "container 'attacker' failed"
ATTACKER_ID=$(docker inspect -f '{{.Id}}' attacker) || fail "inspect attacker"
AGENT_ID=$(docker inspect -f '{{.Id}}' sockwarden) || fail "inspect sockwarden"

# SIGTERM: the agent drains its ring buffer and pending requests before exiting.
docker stop -t 20 sockwarden >/dev/null || fail "docker stop sockwarden"
docker logs sockwarden >"$E2E_DIR/events.jsonl" 2>"$E2E_DIR/agent.log"
docker inspect sockwarden >"$E2E_DIR/inspect.json"
echo "--- agent log:"; cat "$E2E_DIR/agent.log"
grep -qE '\[(error|critical)\]' "$E2E_DIR/agent.log" && fail "agent logged errors"
python3 "$HERE/check_image.py" "$E2E_DIR/events.jsonl" --inspect "$E2E_DIR/inspect.json" \
  --attacker-id "$ATTACKER_ID" --agent-id "$AGENT_ID" --socket "$WATCHED" --inode "$(stat -c %i "$E2E_SOCK")" \
  --caps "${SW_CAPS[*]}" || fail "checks on the agent's events / inspect"

# --- every capability is needed ----------------------------------------------------------
# What losing each one does (the reason documented in run-flags.sh):
#   BPF, PERFMON, SYS_ADMIN (legacy engines): the agent exits 3 (missing capabilities) or 4
#     (no tier loads); NET_ADMIN: socket-tp cannot load cgroup/connect_unix, exit 4;
#   SYS_PTRACE: /proc/<pid>/root of the host process is refused: --host-root fails, exit 2.
for cap in "${SW_CAPS[@]}"; do
  docker rm -f sockwarden >/dev/null 2>&1
  state=$(start_agent sockwarden "$cap")
  log=$(docker logs sockwarden 2>&1 >/dev/null)
  case $cap in
    SYS_PTRACE)
      # The host's filesystem is out of reach: the agent refuses --host-root (exit 2).
      if [[ $state == "exited 2" ]] && grep -q "host-root $HOST_ROOT: Permission denied" <<<"$log"; then
        echo "PASS: without $cap the agent cannot reach the host's filesystem: $state ($(grep -m1 -oE 'host-root.*' <<<"$log"))"
      else
        echo "$log" | tail -5; fail "without $cap: expected --host-root to be refused, got '$state'"
      fi ;;
    *)
      if [[ $state == "exited 3" || $state == "exited 4" ]]; then
        echo "PASS: without $cap the agent stops: $state ($(grep -m1 -oE '(missing capabilities|no hook tier).*' <<<"$log"))"
      else
        echo "$log" | tail -5; fail "without $cap: expected exit 3 or 4, got '$state'"
      fi ;;
  esac
done
docker rm -f sockwarden >/dev/null 2>&1

# --- the split set under containerd + runc (what a Kubernetes node runs) -----------------
# Debian's docker.io 20.10 cannot name CAP_BPF/CAP_PERFMON, so the docker run above may use the
# SYS_ADMIN fallback. containerd 1.6 + runc can: the same image runs there with exactly
# SW_CAPS_SPLIT and containerd's default seccomp profile, and each capability is needed.
# (ctr has no --cap-drop ALL: its default set is dropped one by one.)
CSOCK=$E2E_DIR/containerd/containerd.sock
CG2=$(sw_host_cgroup2)
docker save sockwarden:local | ctr -a "$CSOCK" -n swtest images import - >/dev/null || fail "ctr images import"
CTR_DEFAULT_CAPS=(CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP
  NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE)
# Runs the agent for 2 s with SW_CAPS_SPLIT minus $1; prints its exit status, log on stderr.
ctr_agent() {
  local without=${1:-} args=(--seccomp --read-only --net-host --with-ns "pid:/proc/$E2E_DOCKERD_PID/ns/pid"
    --mount "type=bind,src=$CG2,dst=/cgroup2,options=rbind:ro") c
  for c in "${CTR_DEFAULT_CAPS[@]}"; do args+=(--cap-drop "CAP_$c"); done
  for c in "${SW_CAPS_SPLIT[@]}"; do [[ $c == "$without" ]] || args+=(--cap-add "CAP_$c"); done
  timeout 30 ctr -a "$CSOCK" -n swtest run --rm "${args[@]}" docker.io/library/sockwarden:local sw-ctr \
    /usr/bin/sockwarden "${AGENT_ARGS[@]}" --duration 2 >/dev/null 2>"$E2E_DIR/ctr-agent.log"
  echo $?
}
rc=$(ctr_agent)
if [[ $rc == 0 ]] && grep -q "watching $WATCHED " "$E2E_DIR/ctr-agent.log" && grep -q '\] ready: tier socket-tp' "$E2E_DIR/ctr-agent.log"; then
  echo "PASS: containerd/runc with only ${SW_CAPS_SPLIT[*]} (default seccomp): ready, watching $WATCHED"
else
  cat "$E2E_DIR/ctr-agent.log"; fail "containerd/runc with ${SW_CAPS_SPLIT[*]}: exit $rc"
fi
declare -A CTR_EXPECT=([BPF]="3:missing capabilities: CAP_BPF" [PERFMON]="3:missing capabilities: CAP_PERFMON"
  [NET_ADMIN]="4:socket-tp: loading the BPF programs.*Operation not permitted"
  [SYS_PTRACE]="2:host-root .*Permission denied")
for cap in "${SW_CAPS_SPLIT[@]}"; do
  rc=$(ctr_agent "$cap")
  want=${CTR_EXPECT[$cap]}
  if [[ $rc == "${want%%:*}" ]] && grep -qE "${want#*:}" "$E2E_DIR/ctr-agent.log"; then
    echo "PASS: containerd/runc without $cap: exit $rc ($(grep -m1 -oE "${want#*:}" "$E2E_DIR/ctr-agent.log"))"
  else
    cat "$E2E_DIR/ctr-agent.log"; fail "containerd/runc without $cap: exit $rc, expected ${want%%:*} and '${want#*:}'"
  fi
done
ctr -a "$CSOCK" -n swtest images rm docker.io/library/sockwarden:local >/dev/null 2>&1
echo "PASS: image e2e (docker: ${SW_CAPS[*]}; containerd/runc: ${SW_CAPS_SPLIT[*]})"
