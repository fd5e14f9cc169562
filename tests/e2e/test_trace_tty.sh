#!/usr/bin/env bash
# End-to-end: `sockwarden trace`'s live table on a real terminal (a pseudo-terminal from
# util-linux `script`), against a real, test-private dockerd.
#
#   test_trace_tty.sh [SOCKWARDEN_BINARY]     (default: $SOCKWARDEN, else build/userspace/sockwarden)
#
# Callers: a container "sw-tty-caller" (local/busybox:1, --network none, the daemon socket
# bind-mounted at /host/d.sock, a static docker CLI) and the host's docker CLI, calling the
# daemon at the same time so that their connects and requests interleave.
# Run 1: `trace` in a 100x50 terminal, default view. Run 2: `trace --view all` in 100 columns,
# then the terminal is resized to 72 columns (stty on the pty: SIGWINCH) and the callers go again.
# Checks (check_trace_screen.py) on what the terminal got: no line wider than the terminal (the
# new width after the resize, with the header printed again), rows in time order (each request
# after its caller's connect; no "rows out of time order" line), the default view without send
# or reply rows and --view all with them, and Top callers naming sw-tty-caller as the rows do.
#
# Exit: 0 pass, 1 fail, 77 prerequisites missing (fails under ctest: see tests.cmake).
# Cleanup (trap): trace and script stopped by pid, daemon stopped, containers and temp dir gone.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
CTR=sw-tty-caller

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"

if [[ ! -x $BIN ]]; then
  echo "FAIL: sockwarden binary not found at $BIN (pass it as \$1 or \$SOCKWARDEN)" >&2
  exit 1
fi
if ! e2e_require_tools || ! command -v script >/dev/null || ! command -v stty >/dev/null; then
  echo "SKIP: prerequisites missing (docker tools, util-linux script, coreutils stty)"
  exit 77
fi

SCRIPT_PID=
TRACE_PID=
T_START=$SECONDS
stop_trace() {
  if [[ -n $TRACE_PID ]] && kill -0 "$TRACE_PID" 2>/dev/null; then
    kill -INT "$TRACE_PID" 2>/dev/null
    e2e_wait_gone "$TRACE_PID" 100 || kill -KILL "$TRACE_PID" 2>/dev/null
  fi
  if [[ -n $SCRIPT_PID ]]; then
    e2e_wait_gone "$SCRIPT_PID" 50 || kill -TERM "$SCRIPT_PID" 2>/dev/null
    wait "$SCRIPT_PID" 2>/dev/null
  fi
  TRACE_PID= SCRIPT_PID=
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_trace
  e2e_dockerd_stop
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*"; exit 1; }

e2e_dockerd_start || fail "could not start a private dockerd"
CTR_CLI=$(e2e_static_docker_cli) || CTR_CLI=$(readlink -f "$(command -v docker)")
e2e_build_busybox_image "$CTR_CLI" || fail "could not import local/busybox:1"

# The container calls the daemon each time the test drops /trigger/goN, then answers doneN.
TRIG=$E2E_DIR/trigger
mkdir -p "$TRIG"
CTR_LOOP='
n=0
while :; do
  if [ -e /trigger/go$n ]; then
    docker -H unix:///host/d.sock ps >/dev/null
    docker -H unix:///host/d.sock version >/dev/null
    touch /trigger/done$n
    n=$((n + 1))
  fi
  [ -e /trigger/stop ] && exit 0
  sleep 0.05
done'
e2e_docker run -d --name "$CTR" --network none -e DOCKER_CONFIG=/tmp/.docker \
  -v "$E2E_SOCK:/host/d.sock" -v "$CTR_CLI:/usr/local/bin/docker:ro" -v "$TRIG:/trigger" \
  local/busybox:1 sh -c "$CTR_LOOP" >/dev/null || fail "could not start container $CTR"
e2e_log "container $CTR running"

BURST=0
# Both callers at once: the container's ps + version, and the host's.
burst() {
  local n=$BURST i
  BURST=$((BURST + 1))
  touch "$TRIG/go$n"
  e2e_docker ps >/dev/null || fail "host: docker ps"
  e2e_docker version >/dev/null || fail "host: docker version"
  for ((i = 0; i < 300; i++)); do
    [[ -e $TRIG/done$n ]] && return 0
    sleep 0.1
  done
  fail "container $CTR did not make its calls (burst $n)"
}

# start_trace NAME ARGS...: trace in a 100x50 pseudo-terminal; its screen goes to $E2E_DIR/NAME.screen.
start_trace() {
  local name=$1
  shift
  SCREEN=$E2E_DIR/$name.screen
  LOG=$E2E_DIR/$name.log
  local cmd
  printf -v cmd '%q ' "$BIN" trace --no-default-sockets --socket "$E2E_SOCK" --duration 120 "$@"
  # stderr (logs) to a file: the screen is what a responder sees of the table.
  script -q -f -e -c "stty cols 100 rows 50; exec $cmd 2>$(printf '%q' "$LOG")" "$SCREEN" </dev/null >/dev/null 2>&1 &
  SCRIPT_PID=$!
  local t0=$SECONDS
  until grep -q "ready:" "$LOG" 2>/dev/null; do
    kill -0 "$SCRIPT_PID" 2>/dev/null || { cat "$LOG" "$SCREEN" 2>/dev/null; fail "trace ($name) exited early"; }
    ((SECONDS - t0 < 30)) || { cat "$LOG"; fail "trace ($name) not ready after 30s"; }
    sleep 0.1
  done
  TRACE_PID=$(cat "/proc/$SCRIPT_PID/task/$SCRIPT_PID/children" 2>/dev/null | awk '{print $1}')
  [[ -n $TRACE_PID && $(cat "/proc/$TRACE_PID/comm" 2>/dev/null) == sockwarden ]] ||
    fail "cannot find trace's pid under script (pid $SCRIPT_PID)"
  PTS=$(readlink "/proc/$TRACE_PID/fd/1")
  [[ $PTS == /dev/pts/* ]] || fail "trace's stdout is $PTS, not a pseudo-terminal"
  e2e_log "trace ($name) pid $TRACE_PID on $PTS"
}

finish_trace() {
  sleep 0.5  # past the table's 200 ms reorder hold
  kill -INT "$TRACE_PID"
  e2e_wait_gone "$TRACE_PID" 100 || fail "trace did not stop on SIGINT"
  TRACE_PID=
  e2e_wait_gone "$SCRIPT_PID" 50 || fail "script did not exit after trace"
  wait "$SCRIPT_PID"
  local rc=$?
  SCRIPT_PID=
  [[ $rc -eq 0 ]] || { cat "$LOG"; fail "trace exited with status $rc"; }
  if grep -qE '\[(error|critical)\]' "$LOG"; then
    cat "$LOG"
    fail "trace logged errors"
  fi
}

# --- run 1: the default view ---------------------------------------------------------------
start_trace requests
burst
burst
finish_trace
echo "--- screen, default view (100 columns):"
sed -e 's/\x1b\[[0-9;]*m//g' "$SCREEN"
python3 "$HERE/check_trace_screen.py" "$SCREEN" --width 100 --view requests --container "$CTR" ||
  fail "default view"

# --- run 2: --view all, then the terminal shrinks to 72 columns -----------------------------
start_trace all --view all
burst
stty -F "$PTS" cols 72 || fail "stty cols 72 on $PTS"
sleep 0.3
RESIZED_AT=$(stat -c %s "$SCREEN")
burst
finish_trace
echo "--- screen, --view all (100 columns, then 72 from byte $RESIZED_AT):"
sed -e 's/\x1b\[[0-9;]*m//g' "$SCREEN"
python3 "$HERE/check_trace_screen.py" "$SCREEN" --width 100 --view all --container "$CTR" \
  --resized-at "$RESIZED_AT" --resized-width 72 || fail "--view all / resize"
touch "$TRIG/stop"
echo "PASS"
