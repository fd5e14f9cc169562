#!/usr/bin/env bash
# Records the docker CLI talking to a real, test-private dockerd, for the decoder unit tests.
# Root; needs what tests/e2e needs (scripts/setup.sh). Output: tests/fixtures/docker/<scenario>/
# conn-NN.c2s (client -> daemon bytes) and conn-NN.s2c (daemon -> client), exactly as on the wire,
# plus VERSIONS (CLI and API versions the recording speaks). Commit the result.
#
# Scenarios: run-privileged (docker run --privileged -v /:/host), exec (docker exec with an env
# secret), cp (docker cp into a container), pull (refused: no registry; the request still decodes).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$HERE/tests/fixtures/docker}
# shellcheck source=../tests/e2e/dockerd.sh
source "$HERE/tests/e2e/dockerd.sh"

PROXY_PID=
cleanup() {
  [[ -n $PROXY_PID ]] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
  e2e_dockerd_stop
}
trap cleanup EXIT

e2e_dockerd_start
e2e_build_busybox_image "$(e2e_static_docker_cli || command -v docker)"

rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
PROXY=$E2E_DIR/proxy.sock
LABEL=$E2E_DIR/label
echo setup >"$LABEL"
python3 "$HERE/tests/fixtures/record_proxy.py" "$PROXY" "$E2E_SOCK" "$OUT.tmp" "$LABEL" &
PROXY_PID=$!
for _ in $(seq 50); do [[ -S $PROXY ]] && break; sleep 0.1; done
rec() { DOCKER_CONFIG="$E2E_DIR/cli-config" docker -H "unix://$PROXY" "$@"; }
scenario() { echo "$1" >"$LABEL"; }

scenario setup
e2e_docker run -d --name victim --network none local/busybox:1 sleep 300 >/dev/null
echo 'fixture file' >"$E2E_DIR/payload.txt"

scenario run-privileged
rec run --privileged -v /:/host local/busybox:1 true || true
scenario exec
rec exec -e SECRET_TOKEN=hunter2 -u 0 victim id
scenario cp
rec cp "$E2E_DIR/payload.txt" victim:/tmp/payload.txt
scenario pull
rec pull 127.0.0.1:5999/nothing/here:1 || true
sleep 1
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=

rm -rf "$OUT.tmp/setup" "$OUT.tmp/unlabelled"
{
  echo "docker CLI $(docker version --format '{{.Client.Version}}' 2>/dev/null)"
  echo "API $(docker version --format '{{.Client.APIVersion}}' 2>/dev/null)"
  echo "dockerd $(dockerd --version)"
  echo "recorded by scripts/record-fixtures.sh"
} >"$OUT.tmp/VERSIONS"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
find "$OUT" -type f | sort
