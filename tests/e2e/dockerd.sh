#!/usr/bin/env bash
# Test-private Docker daemon for the end-to-end suite (see ../shared/docs/PLATFORM.md,
# "A real Docker daemon runs here").
#
# Source this file, then:
#   e2e_dockerd_start        -> sets E2E_DIR, E2E_SOCK, E2E_DOCKER (docker CLI wrapper args)
#   e2e_build_busybox_image  -> imports local/busybox:1 (offline, from busybox-static)
#   e2e_dockerd_stop         -> stops dockerd + its containerd BY PID, unmounts, removes E2E_DIR
#   e2e_containerd_start     -> only the private containerd, under an E2E_DIR the caller made
#                               (test_containerd_effects.sh; e2e_dockerd_stop stops it too)
#
# Everything lives under one mktemp directory: the daemon socket, data/exec roots, pidfiles,
# a private containerd (so we never share the "moby" namespace of a system containerd or of
# another test's daemon), and the CLI config (DOCKER_CONFIG), so root's ~/.docker is untouched.
#
# Stand-alone use (debugging):  tests/e2e/dockerd.sh shell   # starts, opens a shell, stops

# shellcheck source=cgroups.sh
source "$(dirname "${BASH_SOURCE[0]}")/cgroups.sh"

E2E_DIR=${E2E_DIR:-}
E2E_SOCK=${E2E_SOCK:-}
E2E_DOCKERD_PID=${E2E_DOCKERD_PID:-}
E2E_CONTAINERD_PID=${E2E_CONTAINERD_PID:-}
E2E_START_TIMEOUT=${E2E_START_TIMEOUT:-60}

e2e_log() { printf '[e2e %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ctest stops a test that overruns its TIMEOUT with SIGKILL, which runs no trap: its private
# dockerd/containerd, overlay mounts, cgroups and temp dir would stay behind (CMake 3.25 has no
# TIMEOUT_SIGNAL_NAME). tests.cmake sets E2E_DEADLINE a little below each e2e test's TIMEOUT;
# this watchdog then sends the test script SIGTERM first, so its trap cleans up (the scripts trap
# TERM as exit 130). It polls once a second and ends with the script; the script's start time
# guards against signalling a recycled pid.
e2e_watchdog_start() {
  [[ ${E2E_DEADLINE:-} =~ ^[0-9]+$ ]] || return 0
  local me=$$ born
  born=$(cut -d' ' -f22 "/proc/$me/stat" 2>/dev/null) || return 0
  (
    trap - EXIT INT TERM
    for ((t = 0; t < E2E_DEADLINE; t++)); do
      sleep 1
      [[ $(cut -d' ' -f22 "/proc/$me/stat" 2>/dev/null) == "$born" ]] || exit 0
    done
    e2e_log "deadline of ${E2E_DEADLINE}s reached (ctest's TIMEOUT is near): stopping the test to clean up"
    kill -TERM "$me"
  ) </dev/null >/dev/null 2>&2 &
  disown 2>/dev/null || true
}
[[ ${E2E_WATCHDOG_STARTED:-} == "$$" ]] || { E2E_WATCHDOG_STARTED=$$; e2e_watchdog_start; }

# Host docker CLI, always pointed at the private daemon.
e2e_docker() { DOCKER_CONFIG="$E2E_DIR/cli-config" docker -H "unix://$E2E_SOCK" "$@"; }

# e2e_wait_image EVENTS OP: until the request event of image operation OP carries its effect
# (settled at two looks agreeing), at most 10 s.
e2e_wait_image() {  # EVENTS OPERATION [COUNT]: until COUNT (1) such requests carry an effect, 10 s at most
  local i
  for i in $(seq 100); do
    (($(grep '"action":"request"' "$1" | grep "\"operation\":\"$2\"" | grep -c '"effect":') >= ${3:-1})) && return 0
    sleep 0.1
  done
  e2e_log "fewer than ${3:-1} $2 requests carry an effect after 10 s"
}

e2e_require_tools() {
  local missing=() t
  for t in dockerd containerd containerd-shim-runc-v2 runc docker busybox python3 mountpoint; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  if ((${#missing[@]})); then
    e2e_log "missing tools: ${missing[*]} (run scripts/setup.sh: docker.io containerd runc busybox-static)"
    return 1
  fi
  if [[ $EUID -ne 0 ]]; then
    e2e_log "must run as root (dockerd + BPF)"
    return 1
  fi
}

# Wait until PID is gone (up to $2 tenths of a second). Returns 0 if gone.
e2e_wait_gone() {
  local pid=$1 tenths=${2:-100} i
  for ((i = 0; i < tenths; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# The tier argument of the tier-parameterised e2e scripts, and the agent binary: a bad tier is a
# usage error (exit 2), a missing binary a failure (exit 1, never a skip).
e2e_check_tier_and_binary() {
  local tier=$1 bin=$2
  case $tier in
    socket-tp | syscall-tp) ;;
    *) echo "usage: $0 [socket-tp|syscall-tp] [BINARY]" >&2; exit 2 ;;
  esac
  [[ -x $bin ]] || { echo "FAIL: sockwarden binary not found at $bin (pass it as \$2 or \$SOCKWARDEN)"; exit 1; }
}

# Stops the agent the script started ($AGENT_PID, if still running): SIGTERM, 10 s to drain,
# then SIGKILL. For cleanup traps.
e2e_agent_stop() {
  if [[ -n ${AGENT_PID:-} ]] && kill -0 "$AGENT_PID" 2>/dev/null; then
    kill -TERM "$AGENT_PID" 2>/dev/null
    e2e_wait_gone "$AGENT_PID" 100 || kill -KILL "$AGENT_PID" 2>/dev/null
    wait "$AGENT_PID" 2>/dev/null
  fi
  AGENT_PID=
}

# Waits until the agent ($AGENT_PID) logs "ready: tier" in LOG, up to SECS (default 30).
# Returns 1, with the log printed, if it exits or is not ready in time.
# Stops the agent the test started (SIGTERM: it settles what is pending and writes agent-stop),
# prints its log, and fails (a FAIL line, status 1) when it exited badly or logged an error.
e2e_agent_finish() {
  local log=$1 rc
  kill -TERM "$AGENT_PID"
  wait "$AGENT_PID"
  rc=$?
  AGENT_PID=
  echo "--- agent log:"
  cat "$log"
  if ((rc != 0)); then echo "FAIL: agent exited with status $rc"; return 1; fi
  if grep -qE '\[(error|critical)\]' "$log"; then echo "FAIL: agent logged errors"; return 1; fi
  return 0
}

e2e_agent_wait_ready() {
  local log=$1 secs=${2:-30} t0=$SECONDS
  until grep -q "ready: tier" "$log" 2>/dev/null; do
    if ! kill -0 "$AGENT_PID" 2>/dev/null; then
      cat "$log"; echo "agent exited before it was ready"; return 1
    fi
    if ((SECONDS - t0 >= secs)); then
      cat "$log"; echo "agent not ready after ${secs}s"; return 1
    fi
    sleep 0.1
  done
}

# Waits until the agent has written, to EVENTS, one request event with an effect for each case
# the effects client (tests/e2e/effects_client.py) reports in CLIENT_OUT, and with `audit`, an
# audit finding too; up to SECS. Effects arrive as soon as the daemon's state shows them, or as
# "unknown" when the effect stage's window (5 s) ends: a fixed sleep would race a loaded daemon.
e2e_wait_effects() {
  local events=$1 client=$2 secs=$3 audit=${4:-} want got t0=$SECONDS
  # One effect per case, and one more per case the client also started (podman: a start follows
  # each create, and starts carry effects too). Counting the starts matters: without them the
  # starts' quick effects reached the count while a slower create's was still pending, and the
  # agent was stopped under it (its effect then read `agent-exit`).
  want=$(python3 -c 'import json,sys
cases = json.load(open(sys.argv[1]))["cases"]
print(len(cases) + sum(1 for c in cases.values() if "start" in c))' "$client") || return 1
  local ids
  ids=$(dirname "$events")/created-ids.txt
  python3 -c 'import json,sys
for n, c in json.load(open(sys.argv[1]))["cases"].items():
    if not n.startswith("exec") and c.get("id"): print(c["id"])' "$client" >"$ids" || return 1
  while :; do
    got=$(grep '"action":"request"' "$events" 2>/dev/null | grep -c '"effect":')
    # With `audit`: a finding about one of the client's created containers (the audit's start
    # pass may already have reported others).
    if ((got >= want)) && { [[ -z $audit ]] || grep '"action":"audit-finding"' "$events" | grep -qF -f "$ids"; }; then
      e2e_log "effects: $got of $want request events carry one after $((SECONDS - t0))s"
      return 0
    fi
    if ((SECONDS - t0 >= secs)); then
      e2e_log "effects: $got of $want request events carry one after ${secs}s${audit:+ (audit findings about created containers: $(grep '"action":"audit-finding"' "$events" | grep -cF -f "$ids"))}"
      return 1
    fi
    sleep 0.2
  done
}

# What the containerd and CRI tests need: containerd, its runc shim, runc, ctr, busybox, and gRPC's
# C core for Debian's python3 (their gRPC clients). Names what is missing and returns 1.
e2e_containerd_require_tools() {
  local missing=() t
  for t in containerd containerd-shim-runc-v2 runc ctr busybox; do command -v "$t" >/dev/null || missing+=("$t"); done
  /usr/bin/python3 -c 'import grpc' 2>/dev/null || missing+=("python3-grpcio (for /usr/bin/python3)")
  ((${#missing[@]} == 0)) && return 0
  echo "SKIP: prerequisites missing: ${missing[*]} (run scripts/setup.sh --test)"
  return 1
}

# A private containerd under $E2E_DIR/containerd (socket containerd.sock there, state in
# containerd/state): sets E2E_CONTAINERD_PID. The CRI plugin is disabled because it wants the
# host's network/CNI setup, unless E2E_CONTAINERD_CRI holds its config section
# (test_cri_effects.sh). Used by dockerd and by the containerd tests.
e2e_containerd_start() {
  mkdir -p "$E2E_DIR"/containerd/{root,state}
  local disabled='disabled_plugins = ["io.containerd.grpc.v1.cri"]'
  [[ -n ${E2E_CONTAINERD_CRI:-} ]] && disabled=
  cat >"$E2E_DIR/containerd/config.toml" <<EOF
version = 2
root = "$E2E_DIR/containerd/root"
state = "$E2E_DIR/containerd/state"
$disabled
[grpc]
  address = "$E2E_DIR/containerd/containerd.sock"
[ttrpc]
  address = "$E2E_DIR/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
${E2E_CONTAINERD_CRI:-}
EOF
  containerd --config "$E2E_DIR/containerd/config.toml" >"$E2E_DIR/containerd.log" 2>&1 &
  E2E_CONTAINERD_PID=$!
  local i
  for ((i = 0; i < E2E_START_TIMEOUT * 10; i++)); do
    [[ -S $E2E_DIR/containerd/containerd.sock ]] && return 0
    if ! kill -0 "$E2E_CONTAINERD_PID" 2>/dev/null; then
      e2e_log "containerd exited early; log:"; tail -20 "$E2E_DIR/containerd.log" >&2
      return 1
    fi
    sleep 0.1
  done
  e2e_log "containerd did not listen within ${E2E_START_TIMEOUT}s"
  return 1
}

e2e_dockerd_start() {
  e2e_require_tools || return 1
  e2e_cgroups_note docker swtest
  E2E_DIR=$(mktemp -d /tmp/sw-e2e.XXXXXX) || return 1
  chmod 711 "$E2E_DIR"
  E2E_SOCK=$E2E_DIR/docker.sock
  mkdir -p "$E2E_DIR"/{data,exec,containerd/root,containerd/state,cli-config}
  echo '{}' >"$E2E_DIR/daemon.json"

  # A private containerd: dockerd would otherwise reuse /run/containerd/containerd.sock when it
  # exists (shared "moby" namespace with whatever else runs there).
  e2e_containerd_start || return 1

  dockerd --host "unix://$E2E_SOCK" \
    --containerd "$E2E_DIR/containerd/containerd.sock" \
    --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
    --data-root "$E2E_DIR/data" --exec-root "$E2E_DIR/exec" \
    --pidfile "$E2E_DIR/dockerd.pid" --config-file "$E2E_DIR/daemon.json" \
    >"$E2E_DIR/dockerd.log" 2>&1 &
  E2E_DOCKERD_PID=$!
  local t0=$SECONDS
  until e2e_docker version >/dev/null 2>&1; do
    if ! kill -0 "$E2E_DOCKERD_PID" 2>/dev/null; then
      e2e_log "dockerd exited early; log:"; tail -30 "$E2E_DIR/dockerd.log" >&2
      return 1
    fi
    if ((SECONDS - t0 > E2E_START_TIMEOUT)); then
      e2e_log "dockerd did not answer within ${E2E_START_TIMEOUT}s; log:"; tail -30 "$E2E_DIR/dockerd.log" >&2
      return 1
    fi
    sleep 0.2
  done
  e2e_log "dockerd pid $E2E_DOCKERD_PID (containerd pid $E2E_CONTAINERD_PID) answers on $E2E_SOCK after $((SECONDS - t0))s"
}

# Path of a statically linked docker CLI, to bind-mount into a busybox container.
# The Debian docker.io client (/usr/bin/docker) is dynamically linked against glibc and would
# not run in a busybox rootfs; PLATFORM.md documents a static CLI at /usr/local/bin/docker.
# Prints nothing (and returns 1) if there is none: callers then ship the dynamic client's
# libraries inside the image instead (see e2e_build_busybox_image).
e2e_static_docker_cli() {
  local c
  for c in "$(command -v docker)" /usr/local/bin/docker /usr/bin/docker; do
    [[ -n $c && -x $c ]] || continue
    # ldd exits non-zero for "not a dynamic executable".
    if ! ldd "$c" >/dev/null 2>&1; then
      readlink -f "$c"
      return 0
    fi
  done
  return 1
}

# A busybox rootfs in DIR (from busybox-static): /bin/busybox plus one symlink per applet.
# If the docker CLI that will be bind-mounted in (CLI) is dynamically linked, its loader and
# libraries are copied into the rootfs so that it still runs. Shared with podman.sh.
e2e_busybox_rootfs() {
  local root=$1 cli=${2:-} bb a lib
  bb=$(command -v busybox)
  if ldd "$bb" >/dev/null 2>&1; then
    e2e_log "$bb is dynamically linked: install busybox-static"
    return 1
  fi
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,proc,sys,dev,tmp,root,host}
  chmod 1777 "$root/tmp"
  cp "$bb" "$root/bin/busybox"
  for a in $("$root/bin/busybox" --list); do
    [[ $a == busybox ]] && continue
    ln -sf busybox "$root/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  if [[ -n $cli ]] && ldd "$cli" >/dev/null 2>&1; then
    e2e_log "docker CLI $cli is dynamic: copying its libraries into the image"
    for lib in $(ldd "$cli" | grep -oE '/[^ ]+'); do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  fi
}

# local/busybox:1 in the private dockerd (see e2e_busybox_rootfs).
e2e_build_busybox_image() {
  local root=$E2E_DIR/rootfs
  e2e_busybox_rootfs "$root" "${1:-}" || return 1
  tar -C "$root" -c . | e2e_docker import - local/busybox:1 >/dev/null || return 1
  rm -rf "$root"
  e2e_log "imported local/busybox:1"
}

# Remove every container of the private daemon (if it still answers).
e2e_remove_all_containers() {
  [[ -n $E2E_SOCK && -S $E2E_SOCK ]] || return 0
  local ids
  ids=$(e2e_docker ps -aq 2>/dev/null) || return 0
  [[ -n $ids ]] && e2e_docker rm -f $ids >/dev/null 2>&1
  return 0
}

# PIDs of processes whose command line mentions DIR/ (containerd shims started for our
# containers: "containerd-shim-runc-v2 -namespace moby -address $E2E_DIR/...", podman's conmons).
e2e_pids_under_dir() {
  local dir=$1 p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    [[ $cmd == *"$dir/"* ]] && echo "${p#/proc/}"
  done
}

# Unmounts what is left under DIR (deepest first), then removes DIR unless E2E_KEEP is set.
e2e_remove_dir() {
  local dir=$1 m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || e2e_log "cannot unmount $m"
  done < <(awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  if [[ -n ${E2E_KEEP:-} ]]; then
    e2e_log "E2E_KEEP set: leaving $dir"
  else
    rm -rf "$dir" 2>/dev/null || e2e_log "cannot fully remove $dir"
  fi
}

e2e_kill_pid() {
  local pid=$1 what=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  if ! e2e_wait_gone "$pid" 150; then
    e2e_log "$what (pid $pid) ignored SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    e2e_wait_gone "$pid" 50
  fi
  wait "$pid" 2>/dev/null || true
}

e2e_dockerd_stop() {
  [[ -n $E2E_DIR && -d $E2E_DIR ]] || return 0
  e2e_remove_all_containers
  e2e_kill_pid "$E2E_DOCKERD_PID" dockerd
  local p
  for p in $(e2e_pids_under_dir "$E2E_DIR"); do
    [[ $p == "$E2E_CONTAINERD_PID" ]] && continue
    e2e_kill_pid "$p" "$(cat /proc/$p/comm 2>/dev/null || echo process)"
  done
  e2e_kill_pid "$E2E_CONTAINERD_PID" containerd
  # What is left under the data/exec roots: container shm tmpfs, netns binds, ...
  e2e_remove_dir "$E2E_DIR"
  e2e_cgroups_cleanup
  E2E_DIR= E2E_SOCK= E2E_DOCKERD_PID= E2E_CONTAINERD_PID=
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case ${1:-} in
    shell)
      trap e2e_dockerd_stop EXIT
      e2e_dockerd_start
      e2e_build_busybox_image "$(e2e_static_docker_cli || command -v docker)"
      echo "DOCKER_HOST=unix://$E2E_SOCK; exit the shell to stop the daemon" >&2
      DOCKER_HOST=unix://$E2E_SOCK DOCKER_CONFIG=$E2E_DIR/cli-config bash -i || true
      ;;
    *) echo "usage: source $0 (library), or $0 shell" >&2; exit 2 ;;
  esac
fi
