#!/usr/bin/env bash
# Overhead of the sockwarden agent, as ratios (agent attached / not attached), per hook tier.
#
#   scripts/bench.sh [BUILD_DIR]          (root; BUILD_DIR default: ./build)
#
# Workloads (a small C helper compiled into a temp dir):
#   write     tight loop of 1-byte write(2) to /dev/null              (unrelated syscalls)
#   pingpong  1-byte ping-pong over a unix socketpair, two processes  (unrelated socket traffic)
#   spawn     fork + exec /bin/true + exit + wait                     (the process-table hooks:
#             sched_process_fork/exec/exit fire on every process on the machine)
#   watched   connect + HTTP-like request + reply + close on the watched unix socket, served
#             by a small persistent server                             (what the agent captures)
# Each round measures every workload without the agent and with
# `sockwarden run --no-default-sockets --socket <bench socket> --tier T` (stdout to /dev/null),
# back to back, alternating which comes first; the table shows the median ratio over ROUNDS
# rounds and the min-max range. Two metrics per cell:
#   wall  elapsed time of the workload
#   cpu   CPU time of the workload's processes (for watched: client + server), which is where
#         in-kernel hook costs are charged; less sensitive to other load on the machine.
# Absolute times are never the result; BENCH_VERBOSE=1 prints per-round ratios.
#
# The workload processes (and the watched server) are pinned to one CPU (PIN_CPU, default the
# last one; PIN_CPU=none to let them float): cross-CPU wake-ups otherwise dominate the variance
# of the ping-pong and request loops. The agent itself is not pinned.
# After every agent run the script checks that it delivered every watched event: per request
# socket-tp emits connect+send+reply, syscall-tp connect+send; missing events that were not
# reported in a loss record are printed as "missing without a loss record".
#
# Environment: ROUNDS (9), N_WRITE (2000000), N_PINGPONG (100000), N_SPAWN (1000), N_WATCHED (10000),
#              TIERS ("socket-tp syscall-tp"), PIN_CPU (nproc-1 | none).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${1:-$ROOT/build}
BIN=$BUILD_DIR/userspace/sockwarden
ROUNDS=${ROUNDS:-9}
N_WRITE=${N_WRITE:-2000000}
N_PINGPONG=${N_PINGPONG:-100000}
N_WATCHED=${N_WATCHED:-10000}
N_SPAWN=${N_SPAWN:-1000}
TIERS=${TIERS:-socket-tp syscall-tp}
VERBOSE=${BENCH_VERBOSE:-}
PIN_CPU=${PIN_CPU:-$(($(nproc) - 1))}

[[ $EUID -eq 0 ]] || { echo "bench.sh: must run as root (the agent loads BPF)" >&2; exit 3; }
[[ -x $BIN ]] || { echo "bench.sh: no agent binary at $BIN (build first, or pass BUILD_DIR)" >&2; exit 2; }
command -v cc >/dev/null || { echo "bench.sh: needs a C compiler (build-essential)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/sw-bench.XXXXXX)
SOCK=$WORK/bench.sock
SERVER_PID=
AGENT_PID=
cleanup() {
  local p
  for p in "$AGENT_PID" "$SERVER_PID"; do
    if [[ -n $p ]] && kill -TERM "$p" 2>/dev/null; then wait "$p" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "bench.sh: command failed at line $LINENO" >&2' ERR

log() { echo "[bench] $*" >&2; }

# --- the workload helper -----------------------------------------------------
cat >"$WORK/bench_helper.c" <<'EOF'
/* Workloads for scripts/bench.sh. Prints "WALL_NS CPU_NS" for the measured part. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}
static long long tv_ns(struct timeval tv) { return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL; }
/* user+sys of this process and its reaped children */
static long long cpu_ns(void) {
  struct rusage s, c;
  getrusage(RUSAGE_SELF, &s);
  getrusage(RUSAGE_CHILDREN, &c);
  return tv_ns(s.ru_utime) + tv_ns(s.ru_stime) + tv_ns(c.ru_utime) + tv_ns(c.ru_stime);
}
/* on-CPU time of another (single-threaded) process, ns */
static long long schedstat_ns(pid_t pid) {
  char p[64];
  long long v = 0;
  snprintf(p, sizeof p, "/proc/%d/schedstat", (int)pid);
  FILE *f = fopen(p, "r");
  if (!f || fscanf(f, "%lld", &v) != 1) { fprintf(stderr, "cannot read %s\n", p); exit(1); }
  fclose(f);
  return v;
}
static void die(const char *what) { perror(what); exit(1); }
static void full_write(int fd, const char *b, size_t n) {
  while (n) {
    ssize_t w = write(fd, b, n);
    if (w < 0) { if (errno == EINTR) continue; die("write"); }
    b += w; n -= (size_t)w;
  }
}

static const char kRequest[] =
    "GET /v1.41/containers/json HTTP/1.1\r\nHost: bench\r\nUser-Agent: sockwarden-bench\r\n\r\n";
static const char kReply[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]";

static int unix_addr(const char *path, struct sockaddr_un *a) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof a->sun_path) { fprintf(stderr, "path too long\n"); exit(1); }
  strcpy(a->sun_path, path);
  return 0;
}

static int serve(const char *path) {
  struct sockaddr_un a;
  unix_addr(path, &a);
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) die("socket");
  unlink(path);
  if (bind(l, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(l, 128) < 0) die("listen");
  printf("ready\n");
  fflush(stdout);
  char buf[4096];
  for (;;) {
    int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) { if (errno == EINTR) continue; die("accept"); }
    size_t have = 0;
    for (;;) { /* read the request head */
      ssize_t r = read(c, buf + have, sizeof buf - 1 - have);
      if (r <= 0) break;
      have += (size_t)r;
      buf[have] = 0;
      if (strstr(buf, "\r\n\r\n") || have >= sizeof buf - 1) break;
    }
    if (have) full_write(c, kReply, sizeof kReply - 1);
    close(c);
  }
  return 0;
}

static void request_loop(long n, const char *path) {
  struct sockaddr_un a;
  unix_addr(path, &a);
  char buf[512];
  for (long i = 0; i < n; i++) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) die("socket");
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    full_write(s, kRequest, sizeof kRequest - 1);
    size_t got = 0;
    for (;;) {
      ssize_t r = read(s, buf, sizeof buf);
      if (r < 0) { if (errno == EINTR) continue; die("read"); }
      if (r == 0) break;
      got += (size_t)r;
    }
    if (got != sizeof kReply - 1) { fprintf(stderr, "short reply (%zu)\n", got); exit(1); }
    close(s);
  }
}

static void spawn(long n) {
  for (long i = 0; i < n; i++) {
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) {
      execl("/bin/true", "true", (char *)NULL);
      _exit(127);
    }
    int st;
    if (waitpid(c, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "spawn failed\n"); exit(1); }
  }
}

static void pingpong(long n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair");
  pid_t child = fork();
  if (child < 0) die("fork");
  char b = 'x';
  if (child == 0) {
    close(sv[0]);
    for (;;) {
      ssize_t r = read(sv[1], &b, 1);
      if (r <= 0) _exit(0);
      if (write(sv[1], &b, 1) != 1) _exit(1);
    }
  }
  close(sv[1]);
  for (long i = 0; i < n; i++) {
    if (write(sv[0], &b, 1) != 1) die("write");
    if (read(sv[0], &b, 1) != 1) die("read");
  }
  close(sv[0]);
  int st;
  waitpid(child, &st, 0);
}

int main(int argc, char **argv) {
  if (argc >= 3 && !strcmp(argv[1], "serve")) return serve(argv[2]);
  if (argc < 3) {
    fprintf(stderr, "usage: %s write N | pingpong N | spawn N | request N PATH SERVER_PID | serve PATH\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]);
  long long c0 = cpu_ns(), srv0 = 0, t0 = now_ns();
  pid_t server = 0;
  if (!strcmp(argv[1], "write")) {
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0) die("/dev/null");
    char b = 'x';
    t0 = now_ns();
    for (long i = 0; i < n; i++)
      if (write(fd, &b, 1) != 1) die("write");
  } else if (!strcmp(argv[1], "pingpong")) {
    pingpong(n);
  } else if (!strcmp(argv[1], "spawn")) {
    spawn(n);
  } else if (!strcmp(argv[1], "request") && argc >= 5) {
    server = (pid_t)atoi(argv[4]);
    srv0 = schedstat_ns(server);
    t0 = now_ns();
    request_loop(n, argv[3]);
  } else {
    fprintf(stderr, "bad mode\n");
    return 2;
  }
  long long wall = now_ns() - t0;
  long long cpu = cpu_ns() - c0 + (server ? schedstat_ns(server) - srv0 : 0);
  printf("%lld %lld\n", wall, cpu);
  return 0;
}
EOF
cc -O2 -Wall -o "$WORK/bench_helper" "$WORK/bench_helper.c"
H=$WORK/bench_helper
PIN=()
[[ $PIN_CPU == none ]] || PIN=(taskset -c "$PIN_CPU")

# --- the watched server --------------------------------------------------------
"${PIN[@]}" "$H" serve "$SOCK" >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/server.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$WORK/server.out" || { cat "$WORK/server.out" >&2; echo "bench.sh: server did not start" >&2; exit 1; }

# --- agent control ---------------------------------------------------------------
agent_cpu_ns() { # sum of on-CPU ns over the agent's threads
  local t s=0 v
  for t in /proc/"$AGENT_PID"/task/*/schedstat; do
    read -r v _ <"$t" 2>/dev/null || continue
    s=$((s + v))
  done
  echo "$s"
}
agent_start() { # tier
  : >"$WORK/agent.log"
  "$BIN" run --no-default-sockets --socket "$SOCK" --tier "$1" >/dev/null 2>"$WORK/agent.log" &
  AGENT_PID=$!
  local i
  for ((i = 0; i < 300; i++)); do
    grep -q "watching $SOCK" "$WORK/agent.log" && break
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.05
  done
  if ! grep -q "watching $SOCK" "$WORK/agent.log" || ! grep -q "capturing with tier $1 " "$WORK/agent.log"; then
    cat "$WORK/agent.log" >&2
    echo "bench.sh: agent did not start with tier $1" >&2
    exit 1
  fi
}
agent_stop() { # sets AGENT_EL="EVENTS LOST" from the agent's exit line
  local ids i
  ids=$( (cat /proc/"$AGENT_PID"/fdinfo/* 2>/dev/null || true) | sed -nE 's/^prog_id:\s*([0-9]+)/\1/p' | sort -u)
  kill -TERM "$AGENT_PID"
  wait "$AGENT_PID" || { cat "$WORK/agent.log" >&2; echo "bench.sh: agent failed" >&2; exit 1; }
  # The kernel frees the programs after an RCU grace period: wait until they are gone, so the
  # next measurement neither pays for them nor mistakes them for someone else's.
  if ((HAVE_BPFTOOL)) && [[ -n $ids ]]; then
    for ((i = 0; i < 100; i++)); do
      bpftool prog show 2>/dev/null | grep -qE "^($(echo $ids | tr ' ' '|')):" || break
      sleep 0.05
    done
  fi
  AGENT_PID=
  AGENT_EL=$(sed -nE 's/.*exiting: ([0-9]+) events, ([0-9]+) lost.*/\1 \2/p' "$WORK/agent.log" | tail -1)
}

# Tracing BPF programs loaded by anyone but our agent (another sockwarden, a test suite, a
# tracer). A syscall tracepoint attached by someone else moves *every* task to the slow syscall
# path, so it slows both sides of a ratio unevenly: rounds that saw one are measured again.
foreign_bpf() {
  if ((HAVE_BPFTOOL)); then
    # Ours: the prog ids behind our agent's bpf fds (bpftool's "pids" needs an iterator that
    # is not always available, so read /proc/PID/fdinfo instead).
    bpftool -j prog show 2>/dev/null | python3 -c '
import glob, json, re, sys
own = set()
if sys.argv[1]:
    for f in glob.glob(f"/proc/{sys.argv[1]}/fdinfo/*"):
        try:
            own.update(int(m) for m in re.findall(r"^prog_id:\s*(\d+)", open(f).read(), re.M))
        except OSError:
            pass
try:
    progs = json.load(sys.stdin)
except ValueError:
    progs = []
kinds = {"tracing", "raw_tracepoint", "tracepoint", "kprobe", "perf_event", "lsm", "cgroup_sock_addr"}
print(sum(1 for p in progs if p.get("type") in kinds and p.get("id") not in own))' "${AGENT_PID:-}"
  else
    pgrep -x sockwarden | grep -vx "${AGENT_PID:-none}" | wc -l
  fi
}
note_foreign() { local n; n=$(foreign_bpf); ((n == 0)) || DIRTY=1; }
wait_quiet() { # up to QUIET_WAIT seconds for other tracing programs to go away
  local i
  for ((i = 0; i < ${QUIET_WAIT:-180}; i++)); do
    (($(foreign_bpf) == 0)) && return 0
    ((i % 30)) || log "waiting for other BPF tracing programs to unload (someone else's agent or tests)"
    sleep 1
  done
  return 1
}

# run_set OUTFILE: one measurement of each workload, "name wall cpu" lines. With the agent
# attached, also "agentcpu NS" = agent CPU spent during (and draining after) the watched loop.
# Sets DIRTY=1 if a foreign tracing program was loaded before or after a workload.
run_set() {
  local out=$1
  : >"$out"
  local v a0=0
  note_foreign
  v=$("${PIN[@]}" "$H" write "$N_WRITE"); echo "write $v" >>"$out"
  note_foreign
  v=$("${PIN[@]}" "$H" pingpong "$N_PINGPONG"); echo "pingpong $v" >>"$out"
  note_foreign
  v=$("${PIN[@]}" "$H" spawn "$N_SPAWN"); echo "spawn $v" >>"$out"
  note_foreign
  if [[ -n $AGENT_PID ]]; then
    sleep 0.3 # let the agent finish the spawn workload's process records first
    a0=$(agent_cpu_ns)
  fi
  v=$("${PIN[@]}" "$H" request "$N_WATCHED" "$SOCK" "$SERVER_PID"); echo "watched $v" >>"$out"
  if [[ -n $AGENT_PID ]]; then
    sleep 0.3 # the agent drains its ring buffer
    echo "agentcpu $(($(agent_cpu_ns) - a0))" >>"$out"
  fi
  note_foreign
}

# --- pre-flight --------------------------------------------------------------------
HAVE_BPFTOOL=0
command -v bpftool >/dev/null && HAVE_BPFTOOL=1
((HAVE_BPFTOOL)) || log "no bpftool: detecting other BPF users by 'sockwarden' processes only"
MAX_ATTEMPTS=${MAX_ATTEMPTS:-$((ROUNDS * 4))}
n=$(foreign_bpf)
((n == 0)) || log "NOTE: $n tracing BPF program(s) of someone else are loaded now; affected rounds are redone"
log "kernel $(uname -r), $(nproc) CPUs, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
log "workloads pinned to CPU $PIN_CPU; rounds $ROUNDS; write x$N_WRITE, pingpong x$N_PINGPONG, spawn x$N_SPAWN, watched x$N_WATCHED; tiers: $TIERS"
"${PIN[@]}" "$H" write 200000 >/dev/null # warm-up
"${PIN[@]}" "$H" request 500 "$SOCK" "$SERVER_PID" >/dev/null

# --- measure -------------------------------------------------------------------------
RES=$WORK/results # lines: tier workload metric ratio | tier agentcpu_per_1k ns | tier events/lost
: >"$RES"
DISCARDED=0
for tier in $TIERS; do
  attempts=0
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((++attempts > MAX_ATTEMPTS)); then
      echo "bench.sh: gave up after $MAX_ATTEMPTS attempts: other BPF tracing programs keep loading" >&2
      exit 1
    fi
    wait_quiet || log "other tracing programs are still loaded; measuring anyway (round will be redone)"
    DIRTY=0
    if ((r % 2)); then
      run_set "$WORK/off"
      agent_start "$tier"; run_set "$WORK/on"; agent_stop
    else
      agent_start "$tier"; run_set "$WORK/on"; agent_stop
      run_set "$WORK/off"
    fi
    read -r events lost <<<"${AGENT_EL:-0 0}"
    if ((DIRTY)); then
      log "round $r $tier: another tracing BPF program was loaded meanwhile; measuring it again"
      DISCARDED=$((DISCARDED + 1))
      r=$((r - 1))
      continue
    fi
    echo "$tier events $events $lost" >>"$RES"
    line="round $r $tier:"
    for w in write pingpong spawn watched; do
      read -r _ w0 c0 < <(grep "^$w " "$WORK/off")
      read -r _ w1 c1 < <(grep "^$w " "$WORK/on")
      rw=$(awk -v a="$w1" -v b="$w0" 'BEGIN{printf "%.4f", a/b}')
      rc=$(awk -v a="$c1" -v b="$c0" 'BEGIN{printf "%.4f", a/b}')
      echo "$tier $w wall $rw" >>"$RES"
      echo "$tier $w cpu $rc" >>"$RES"
      line+=" $w ${rw}x/${rc}x"
    done
    read -r _ acpu < <(grep "^agentcpu " "$WORK/on")
    echo "$tier agentcpu $acpu" >>"$RES"
    # agent CPU relative to the workload's own CPU (client + server) without the agent
    echo "$tier agentrel $(awk -v a="$acpu" -v b="$c0" 'BEGIN{printf "%.4f", a/b}')" >>"$RES"
    line+=" | events $events lost $lost"
    if [[ -n $VERBOSE ]]; then log "$line"; else log "round $r/$ROUNDS $tier done"; fi
  done
done

# --- report --------------------------------------------------------------------------
log "rounds discarded because another BPF tracing program was loaded: $DISCARDED"
python3 - "$RES" "$N_WATCHED" "$TIERS" <<'EOF'
import statistics, sys
res, n_watched, tiers = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
d = {}
for line in open(res):
    f = line.split()
    d.setdefault((f[0], f[1], f[2] if f[1] in ("write", "pingpong", "spawn", "watched") else ""), []).append(
        f[2:] if f[1] == "events" else float(f[-1]))

def cell(v):
    return f"{statistics.median(v):.2f}x ({min(v):.2f}-{max(v):.2f})"

names = {"write": "1-byte write(2) to /dev/null (unrelated)",
         "pingpong": "unix socketpair ping-pong (unrelated)",
         "spawn": "fork + exec /bin/true + exit (unrelated)",
         "watched": "request/reply on the watched socket"}
hdr = "| workload | " + " | ".join(f"{t} wall | {t} cpu" for t in tiers) + " |"
print(hdr)
print("|" + "---|" * (1 + 2 * len(tiers)))
for w in ("write", "pingpong", "spawn", "watched"):
    print(f"| {names[w]} | " + " | ".join(f"{cell(d[(t, w, 'wall')])} | {cell(d[(t, w, 'cpu')])}" for t in tiers) + " |")
print()
print("Median of the per-round ratios (agent attached / not attached), min-max in parentheses.")
for t in tiers:
    a = statistics.median(d[(t, "agentcpu", "")])
    rel = statistics.median(d[(t, "agentrel", "")])
    ev = d[(t, "events", "")]
    per_req = 3 if t == "socket-tp" else 2  # connect+send(+reply)
    expected = n_watched * per_req * len(ev)
    got = sum(int(x[0]) for x in ev)
    lost = sum(int(x[1]) for x in ev)
    print(f"{t}: agent CPU {a / 1e6 / (n_watched / 1000):.1f} ms per 1000 watched requests "
          f"(= {rel:.2f}x the client+server CPU of those requests without the agent, median)")
    # Loss records also count dropped process (fork/exec/exit) records, so the balance is only
    # exact without losses.
    unacc = str(expected - got) if lost == 0 else "n/a (losses reported)"
    print(f"{t}: events delivered {got} of {expected} expected over {len(ev)} rounds; "
          f"lost (reported) {lost}; missing without a loss record: {unacc}")
EOF
