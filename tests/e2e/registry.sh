#!/usr/bin/env bash
# A test-private image registry for the end-to-end suite: Debian's docker-registry (distribution
# 2.8) on 127.0.0.1, plain HTTP, filesystem storage under one directory, so that a pull has
# somewhere to pull from offline.
#
# Source this file (after dockerd.sh, for e2e_log / e2e_kill_pid), then:
#   e2e_registry_start DIR  -> sets REG_ADDR (127.0.0.1:PORT), REG_PID; storage and log in DIR
#   e2e_registry_stop       -> stops it by pid (DIR is the caller's to remove)

REG_ADDR=${REG_ADDR:-}
REG_PID=${REG_PID:-}

e2e_registry_start() {
  local dir=$1 port i
  command -v docker-registry >/dev/null 2>&1 || { e2e_log "missing docker-registry (run scripts/setup.sh --test)"; return 1; }
  mkdir -p "$dir/storage"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
http:
  addr: 127.0.0.1:$port
EOF
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  REG_PID=$!
  REG_ADDR=127.0.0.1:$port
  for ((i = 0; i < 100; i++)); do
    python3 -c 'import http.client,sys; c=http.client.HTTPConnection(sys.argv[1], timeout=1); c.request("GET","/v2/"); sys.exit(c.getresponse().status != 200)' \
      "$REG_ADDR" 2>/dev/null && { e2e_log "registry pid $REG_PID on $REG_ADDR"; return 0; }
    kill -0 "$REG_PID" 2>/dev/null || { e2e_log "registry exited early:"; tail -5 "$dir/registry.log" >&2; return 1; }
    sleep 0.1
  done
  e2e_log "registry did not answer on $REG_ADDR"
  return 1
}

e2e_registry_stop() {
  [[ -n $REG_PID ]] && e2e_kill_pid "$REG_PID" "registry"
  REG_PID='' REG_ADDR=''
}
