#!/usr/bin/env bash
# End-to-end: `sockwarden audit` against a real, test-private dockerd.
#
#   test_dockerd_audit.sh [SOCKWARDEN_BINARY]
#
# Scenario:
#   A  container with the daemon socket mounted at a different path (-v $E2E_SOCK:/var/run/other.sock)
#   B  container --privileged -v /:/host (created; it may fail to start in this sandbox, see
#      PLATFORM.md: the audit reads dockerd's state on disk, so it is reported either way)
#   C  unrelated container (no mounts)
#   a host process holding an open connection to the daemon socket (python, sleeping)
# Checks (check_dockerd_audit.py): A reported by name as socket-mounted / critical, also found
# live through its mount namespace (by inode, at /var/run/other.sock); B reported by name as
# privileged-host-root / critical; the client's pid listed under connections; C in no finding;
# exit code 2 for --json and for the text report, which names A, B and the client's pid.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root / docker tools missing: run scripts/setup.sh).
# Cleanup (trap): client and daemon stopped by pid, containers removed, temp dir gone.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"

if [[ ! -x $BIN ]]; then
  echo "FAIL: sockwarden binary not found at $BIN (pass it as \$1 or \$SOCKWARDEN)" >&2
  exit 1
fi
if ! e2e_require_tools; then
  echo "SKIP: prerequisites missing (see above)"
  exit 77
fi

CLIENT_PID=
T_START=$SECONDS
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $CLIENT_PID ]]; then
    kill -TERM "$CLIENT_PID" 2>/dev/null
    wait "$CLIENT_PID" 2>/dev/null
  fi
  e2e_dockerd_stop
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*"; exit 1; }

e2e_dockerd_start || fail "could not start a private dockerd"
e2e_build_busybox_image || fail "could not import local/busybox:1"

# Names unique to this run: another test's daemon may be running on the same host.
A=sw-audit-sockuser-$$
B=sw-audit-privroot-$$
C=sw-audit-plain-$$

e2e_docker run -d --name "$A" --network none -v "$E2E_SOCK:/var/run/other.sock" local/busybox:1 sleep 600 >/dev/null ||
  fail "container A"
if e2e_docker run -d --name "$B" --network none --privileged -v /:/host local/busybox:1 sleep 600 >/dev/null 2>&1; then
  e2e_log "container B (privileged) is running"
else
  e2e_docker inspect "$B" >/dev/null 2>&1 || fail "container B was not even created"
  e2e_log "container B (privileged) created but not started (expected in this sandbox)"
fi
e2e_docker run -d --name "$C" --network none local/busybox:1 sleep 600 >/dev/null || fail "container C"

READY=$E2E_DIR/client.ready
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
open(sys.argv[2], "w").close()
time.sleep(600)
' "$E2E_SOCK" "$READY" &
CLIENT_PID=$!
for _ in $(seq 100); do [[ -e $READY ]] && break; sleep 0.1; done
[[ -e $READY ]] || fail "the host client did not connect"
e2e_log "host client pid $CLIENT_PID holds a connection to $E2E_SOCK"

ARGS=(audit --socket "$E2E_SOCK" --docker-data-root "$E2E_DIR/data" --containerd-state "$E2E_DIR/containerd/state")
"$BIN" "${ARGS[@]}" --json >"$E2E_DIR/audit.json" 2>"$E2E_DIR/audit.err"
json_rc=$?
"$BIN" "${ARGS[@]}" >"$E2E_DIR/audit.txt" 2>>"$E2E_DIR/audit.err"
text_rc=$?
echo "--- text report:"
cat "$E2E_DIR/audit.txt"
echo "--- stderr:"
cat "$E2E_DIR/audit.err"

python3 "$HERE/check_dockerd_audit.py" --json "$E2E_DIR/audit.json" --json-rc "$json_rc" \
  --text "$E2E_DIR/audit.txt" --text-rc "$text_rc" --socket "$E2E_SOCK" --inode "$(stat -c %i "$E2E_SOCK")" \
  --a "$A" --b "$B" --c "$C" --client-pid "$CLIENT_PID"
