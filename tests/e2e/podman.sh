#!/usr/bin/env bash
# Test-private podman for the end-to-end suite: rootful podman 4.x from Debian, with every
# state directory under one mktemp dir, the cgroupfs manager (no systemd here), the vfs
# storage driver and runc, and `podman system service` serving podman's Docker-compatible
# API on a private socket: a real runtime socket of another runtime than dockerd.
#
# Source this file (after dockerd.sh, for e2e_log / e2e_busybox_rootfs / e2e_kill_pid /
# e2e_pids_under_dir / e2e_remove_dir), then:
#   e2e_podman_start   -> sets PM_DIR, PM_SOCK, PM_SERVICE_PID; imports localhost/busybox:1
#   e2e_podman ARGS    -> podman pointed at the private store
#   e2e_podman_stop    -> removes containers, stops the service and conmons BY PID, unmounts,
#                         removes PM_DIR and the cgroups podman created
#
# Sandbox notes (measured on this machine): podman's default RLIMIT_NOFILE/NPROC (1048576)
# cannot be set in this sandbox (runc: "error setting rlimit type 7"), so containers get
# explicit --ulimit values; there is no network (--network none).

PM_DIR=${PM_DIR:-}
PM_SOCK=${PM_SOCK:-}
PM_SERVICE_PID=${PM_SERVICE_PID:-}
PM_ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

pm_global_args() {
  PM_ARGS=(--root "$PM_DIR/root" --runroot "$PM_DIR/run" --tmpdir "$PM_DIR/tmp"
    --storage-driver vfs --cgroup-manager cgroupfs --runtime runc --events-backend none)
}
# Every podman call is bounded: a wedged podman must fail the test, not hang it.
e2e_podman() { pm_global_args; timeout 120 podman "${PM_ARGS[@]}" "$@"; }

e2e_podman_require_tools() {
  local missing=() t
  for t in podman conmon runc busybox python3; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  if ((${#missing[@]})); then
    e2e_log "missing tools: ${missing[*]} (run scripts/setup.sh: podman conmon runc busybox-static)"
    return 1
  fi
  [[ $EUID -eq 0 ]] || { e2e_log "must run as root (rootful podman + BPF)"; return 1; }
}

e2e_podman_start() {
  e2e_podman_require_tools || return 1
  e2e_cgroups_note libpod_parent
  PM_DIR=$(mktemp -d /tmp/sw-podman.XXXXXX) || return 1
  chmod 711 "$PM_DIR"
  PM_SOCK=$PM_DIR/podman.sock
  mkdir -p "$PM_DIR"/{root,run,tmp}
  e2e_busybox_rootfs "$PM_DIR/rootfs" "${1:-}" || return 1
  tar -C "$PM_DIR/rootfs" -c . | e2e_podman import - localhost/busybox:1 >/dev/null || return 1
  rm -rf "$PM_DIR/rootfs"
  pm_global_args
  podman "${PM_ARGS[@]}" system service --time=0 "unix://$PM_SOCK" >"$PM_DIR/service.log" 2>&1 &
  PM_SERVICE_PID=$!
  local i
  for ((i = 0; i < 300; i++)); do
    [[ -S $PM_SOCK ]] && break
    if ! kill -0 "$PM_SERVICE_PID" 2>/dev/null; then
      e2e_log "podman system service exited early; log:"; tail -20 "$PM_DIR/service.log" >&2
      return 1
    fi
    sleep 0.1
  done
  [[ -S $PM_SOCK ]] || { e2e_log "podman socket did not appear"; return 1; }
  e2e_log "podman service pid $PM_SERVICE_PID on $PM_SOCK"
}

e2e_podman_stop() {
  [[ -n $PM_DIR && -d $PM_DIR ]] || return 0
  e2e_podman rm -af -t 0 >/dev/null 2>&1
  e2e_kill_pid "$PM_SERVICE_PID" "podman service"
  # conmon monitors double-fork away from us: find them by the private directory.
  local p
  for p in $(e2e_pids_under_dir "$PM_DIR"); do
    e2e_kill_pid "$p" "$(cat /proc/$p/comm 2>/dev/null || echo process)"
  done
  e2e_remove_dir "$PM_DIR"
  e2e_cgroups_cleanup
  PM_DIR= PM_SOCK= PM_SERVICE_PID=
}
