#!/usr/bin/env bash
# The second anchor of the overhead targets (issue 18): the bpftrace one-liner a responder would
# write instead of sockwarden, measured by scripts/bench.sh in the same run as the agent's tiers
# (as the pseudo-tier "bpftrace"). Syscall tracepoints on connect(2) to the watched path and on
# write/sendto/sendmsg on the fds those connects returned, printing pid, comm and length; close
# forgets the fd. Sourced by scripts/bench.sh (whose prog_ids_of and wait_progs_unloaded it
# uses); needs the bpftrace package (scripts/setup.sh --test). bpftrace runs as our child and is
# stopped by its pid; its programs are attached only while it runs.

BPFT_PID=
BPFT_MOUNTED_TRACEFS=0

bpftrace_available() { command -v bpftrace >/dev/null; }

# bpftrace_program SOCKET_PATH
bpftrace_program() {
  cat <<PROG
tracepoint:syscalls:sys_enter_connect
/((struct sockaddr_un *)args->uservaddr)->sun_path == "$1"/
{ @conn[tid] = args->fd + 1; }

tracepoint:syscalls:sys_exit_connect
/@conn[tid]/
{
  if (args->ret == 0) {
    @watched[pid, @conn[tid] - 1] = 1;
    printf("connect pid=%d comm=%s fd=%d\n", pid, comm, @conn[tid] - 1);
  }
  delete(@conn[tid]);
}

tracepoint:syscalls:sys_enter_write
/@watched[pid, args->fd]/
{ printf("write pid=%d comm=%s len=%d\n", pid, comm, args->count); }

tracepoint:syscalls:sys_enter_sendto
/@watched[pid, args->fd]/
{ printf("sendto pid=%d comm=%s len=%d\n", pid, comm, args->len); }

tracepoint:syscalls:sys_enter_sendmsg
/@watched[pid, args->fd]/
{ printf("sendmsg pid=%d comm=%s\n", pid, comm); }

tracepoint:syscalls:sys_enter_close
/@watched[pid, args->fd]/
{ delete(@watched[pid, args->fd]); }
PROG
}

# bpftrace_start SOCKET_PATH: sets AGENT_PID to bpftrace's pid (bench.sh measures its CPU like
# the agent's). Its output goes to $WORK/bpftrace.out, as a responder's would go to a file.
bpftrace_start() {
  local i
  # Syscall tracepoints need tracefs for their ids; a fresh machine has it unmounted
  # (PLATFORM.md). Mounted here only if it is not, and unmounted by bpftrace_stop.
  if ! mountpoint -q /sys/kernel/tracing; then
    mount -t tracefs nodev /sys/kernel/tracing || { echo "bench.sh: cannot mount tracefs for bpftrace" >&2; return 1; }
    BPFT_MOUNTED_TRACEFS=1
  fi
  bpftrace_program "$1" >"$WORK/anchor.bt"
  : >"$WORK/bpftrace.out"
  bpftrace -q "$WORK/anchor.bt" >"$WORK/bpftrace.out" 2>"$WORK/bpftrace.err" &
  BPFT_PID=$!
  # -q hides "Attaching N probes": ready when its programs are attached (6 tracepoints).
  for ((i = 0; i < 600; i++)); do
    kill -0 "$BPFT_PID" 2>/dev/null || break
    (($(bpftrace_prog_count) >= 6)) && break
    sleep 0.05
  done
  if ! kill -0 "$BPFT_PID" 2>/dev/null || (($(bpftrace_prog_count) < 6)); then
    cat "$WORK/bpftrace.err" >&2
    echo "bench.sh: bpftrace did not attach its probes" >&2
    bpftrace_stop
    return 1
  fi
  AGENT_PID=$BPFT_PID
}

bpftrace_prog_count() { prog_ids_of "$BPFT_PID" | wc -l; }

bpftrace_stop() {
  local ids
  if [[ -n $BPFT_PID ]]; then
    ids=$(prog_ids_of "$BPFT_PID")
    kill -INT "$BPFT_PID" 2>/dev/null || true
    wait "$BPFT_PID" 2>/dev/null || true
    wait_progs_unloaded "$ids"
  fi
  BPFT_PID=
  if ((BPFT_MOUNTED_TRACEFS)); then
    umount /sys/kernel/tracing 2>/dev/null || true
    BPFT_MOUNTED_TRACEFS=0
  fi
  AGENT_PID=
  local lines
  lines=$(grep -c . "$WORK/bpftrace.out" 2>/dev/null) || true
  AGENT_EL="${lines:-0} 0"
}
