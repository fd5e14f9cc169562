# shellcheck shell=bash
# Least-privilege `docker run` flags for the sockwarden image (sourced by deploy/docker/run.sh
# and tests/e2e/test_image.sh, so that what is documented is what is tested).
#
#   sw_docker_caps            -> SW_CAPS: SW_CAPS_SPLIT, or SW_CAPS_LEGACY where the daemon
#                                cannot grant CAP_BPF (see below)
#   sw_docker_run_args [CG2]  -> SW_RUN_ARGS: every flag but the image; CG2 = host cgroup2 mount
#
# Every capability is needed (tests/e2e/test_image.sh removes each one in turn and checks the
# agent then fails or loses a feature); the reasons, one per capability:
#   BPF          bpf(): create maps, load programs (Linux >= 5.8 split it out of SYS_ADMIN)
#   PERFMON      tracing programs (tp_btf/*) and their reads of kernel memory
#   NET_ADMIN    the socket-tp tier's cgroup/connect_unix program (a networking program type)
#   SYS_PTRACE   /proc/<pid>/{exe,fd,root} of host processes holding capabilities the agent
#                lacks (kernel ptrace access check): caller executables, socket owners, and the
#                host's filesystem under /proc/<pid>/root for --host-root
#   SYS_ADMIN    only where the engine cannot name CAP_BPF/CAP_PERFMON (Debian bookworm's
#                docker.io 20.10: "unknown capability: CAP_BPF"): there it stands in for BPF,
#                PERFMON and NET_ADMIN, which it implies.
# Not granted, and why that is fine: DAC_READ_SEARCH/DAC_OVERRIDE (the agent runs as uid 0,
# which owns the runtimes' root-only state), SYS_RESOURCE (kernels >= 5.11 charge BPF memory
# to the memory cgroup, not RLIMIT_MEMLOCK), SYS_ADMIN on modern engines (setns into other
# network namespaces for the existing-connection snapshot: with --network host the host's
# namespace is the agent's own; other namespaces are skipped with a warning).

# Capabilities for this daemon: the split set if it knows CAP_BPF, else the SYS_ADMIN fallback.
# Probed by creating (never starting) a container with --cap-add BPF.
# SW_CAPS_SPLIT is also what a Kubernetes DaemonSet (containerd/CRI-O -> runc) should grant.
SW_CAPS_SPLIT=(BPF PERFMON NET_ADMIN SYS_PTRACE)
SW_CAPS_LEGACY=(SYS_ADMIN SYS_PTRACE)
sw_docker_caps() {
  local image=${SOCKWARDEN_IMAGE:-sockwarden:local} id
  if id=$(docker create --cap-drop ALL --cap-add BPF "$image" 2>/dev/null); then
    docker rm "$id" >/dev/null
    SW_CAPS=("${SW_CAPS_SPLIT[@]}")
  else
    SW_CAPS=("${SW_CAPS_LEGACY[@]}")
  fi
}

# The cgroup v2 hierarchy: /sys/fs/cgroup on a v2-only host, /sys/fs/cgroup/unified on a
# hybrid (v1 + v2) one like this host. The agent attaches cgroup/connect_unix to its root and
# maps BPF cgroup ids to paths; mounted read-only (attaching needs only an O_RDONLY fd).
sw_host_cgroup2() {
  awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo
}

sw_docker_run_args() {
  local cg2=${1:-$(sw_host_cgroup2)} c
  [[ -n $cg2 ]] || { echo "run-flags: no cgroup2 mount on this host" >&2; return 1; }
  [[ ${#SW_CAPS[@]} -gt 0 ]] || sw_docker_caps
  SW_RUN_ARGS=(
    # Host PID namespace: BPF reports host pids, /proc/<pid>/... must be the host's, and the
    # host's filesystem is reached as /proc/<pid>/root (--host-root) instead of mounting sockets.
    --pid host
    # Host network namespace: the existing-connection snapshot (sock_diag lists the unix
    # sockets of the caller's own namespace only) and abstract socket names (@name).
    --network host
    # Host cgroup namespace: /proc/<pid>/cgroup paths as the host sees them (docker on cgroup v2
    # defaults to a private one).
    --cgroupns host
    --cap-drop ALL
  )
  for c in "${SW_CAPS[@]}"; do SW_RUN_ARGS+=(--cap-add "$c"); done
  SW_RUN_ARGS+=(
    --security-opt no-new-privileges
    --read-only
    -v "$cg2:$cg2:ro"
    # Container names and images come from the runtimes' state on disk, never from their
    # sockets: docker's per-container config (not the whole data root, not /var/run/docker.sock).
    -v "${SW_DOCKER_CONTAINERS:-/var/lib/docker/containers}:${SW_DOCKER_CONTAINERS:-/var/lib/docker/containers}:ro"
  )
}
