#!/usr/bin/env bash
# End-to-end: request effects (docs/request-effects.md) against a real, test-private dockerd.
#
#   test_dockerd_effects.sh [TIER] [SOCKWARDEN_BINARY]     TIER: socket-tp (default) or syscall-tp
#
# A host process (tests/e2e/effects_client.py) sends what a monitor that trusts the caller's
# bytes cannot read: creates with Privileged + Binds ["/:/host"] behind 16 KiB of JSON
# whitespace in one write, the same dribbled in 512-byte writes, the same chunked, one with
# lowercase keys (read case-insensitively, as dockerd does), and an exec whose command sits
# behind the same padding. The agent runs with its default payload cap (4 KiB), so the padded
# bodies cannot be decoded. check_dockerd_effects.py asserts, on the request events of that
# client's pid: the effect read from dockerd's state (privileged, host mount /, the container
# id the daemon answered), the recomputed flags (privileged, host-mount, effect-mismatch where
# the body did not say it) and severity (high or above); for the exec, the command runc ran.
# The continuous audit's finding about a created container names the client as its cause.
# Then plugin requests by the docker CLI (offline: `docker plugin create` from a directory): a
# privileged plugin (CAP_SYS_ADMIN, / mounted, host network), a plain one, and a `docker plugin
# set` that points a settable mount at /; each judged by dockerd's plugin store
# (<data-root>/plugins/<id>/config.json) on the request event of that CLI's pid.
#
# Exit: 0 pass, 1 fail (a missing prerequisite fails too: see tests.cmake).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIER=${1:-socket-tp}
BIN=${2:-${SOCKWARDEN:-$HERE/../../build/userspace/sockwarden}}
AGENT_MAX_SEC=${AGENT_MAX_SEC:-120}

# shellcheck source=dockerd.sh
source "$HERE/dockerd.sh"
# shellcheck source=registry.sh
source "$HERE/registry.sh"

e2e_check_tier_and_binary "$TIER" "$BIN"
if ! e2e_require_tools; then
  echo "SKIP: prerequisites missing (see above)"
  exit 77
fi

AGENT_PID=
T_START=$SECONDS
PLUGINS=(sw-plug-priv sw-plug-plain sw-plug-set sw-plug-pulled)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  e2e_agent_stop
  # Plugins are removed through the daemon (none is enabled: no plugin process runs).
  [[ -n ${E2E_SOCK:-} && -S $E2E_SOCK ]] && e2e_docker plugin rm -f "${PLUGINS[@]}" >/dev/null 2>&1
  e2e_dockerd_stop
  e2e_registry_stop
  e2e_log "done in $((SECONDS - T_START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

e2e_log "tier $TIER, binary $BIN"
e2e_dockerd_start || fail "could not start a private dockerd"
e2e_build_busybox_image || fail "could not import local/busybox:1"
# The exec target, running before the agent starts.
e2e_docker run -d --name eff-target --network none local/busybox:1 sleep 300 >/dev/null ||
  fail "could not start the exec target container"
TARGET_ID=$(e2e_docker inspect -f '{{.Id}}' eff-target) || fail "docker inspect eff-target"

# The image cases' material, made before the agent starts: image C (local/sw-evil:1, built from
# local/busybox:1 = A) and a tarball of C whose manifest names it local/busybox:1 (what an attacker
# would `docker load` to poison a trusted tag), a build context, an import rootfs.
IMAGE_A=$(e2e_docker inspect -f '{{.Id}}' local/busybox:1) || fail "docker inspect local/busybox:1"
mkdir -p "$E2E_DIR/build-ctx" "$E2E_DIR/evil-ctx" "$E2E_DIR/import-root/etc"
printf 'FROM local/busybox:1\nLABEL sw.case=image-build\n' >"$E2E_DIR/build-ctx/Dockerfile"
printf 'FROM local/busybox:1\nLABEL sw.case=poisoned\n' >"$E2E_DIR/evil-ctx/Dockerfile"
DOCKER_BUILDKIT=0 e2e_docker build -q -t local/sw-evil:1 "$E2E_DIR/evil-ctx" >/dev/null || fail "docker build sw-evil"
IMAGE_C=$(e2e_docker inspect -f '{{.Id}}' local/sw-evil:1) || fail "docker inspect local/sw-evil:1"
e2e_docker save -o "$E2E_DIR/evil.tar" local/sw-evil:1 || fail "docker save local/sw-evil:1"
python3 "$HERE/poison_tarball.py" "$E2E_DIR/evil.tar" "$E2E_DIR/poisoned.tar" local/busybox:1 ||
  fail "poisoned tarball"
echo sw-imported >"$E2E_DIR/import-root/etc/hostname"
tar -C "$E2E_DIR/import-root" -cf "$E2E_DIR/import.tar" . || fail "import tarball"
# A private registry (Debian's docker-registry on 127.0.0.1, which dockerd pulls from over plain
# HTTP: loopback registries are insecure by default) holding sw-pulled:1, for a real pull.
e2e_registry_start "$E2E_DIR/registry" || fail "registry"
e2e_busybox_rootfs "$E2E_DIR/pull-root" || fail "pull rootfs"
python3 "$HERE/oci_image.py" "$E2E_DIR/pull-root" "$E2E_DIR/pull.tar" "$REG_ADDR/sw-pulled:1" /bin/sh ||
  fail "OCI image for the registry"
PULLED_DIGEST=$(python3 "$HERE/push_oci.py" "$E2E_DIR/pull.tar" "$REG_ADDR" sw-pulled 1) || fail "push to the registry"

# The plugin cases' material: a plugin directory (config.json + rootfs/) each. dockerd 20.10
# refuses a second plugin whose rootfs layer it already stores ("content ... already exists"),
# so each rootfs carries its own marker file.
e2e_busybox_rootfs "$E2E_DIR/plugin-rootfs" || fail "plugin rootfs"
plugin_dir() {  # NAME CONFIG_JSON
  mkdir -p "$E2E_DIR/plugin-$1" && cp -a "$E2E_DIR/plugin-rootfs" "$E2E_DIR/plugin-$1/rootfs" &&
    echo "$1" >"$E2E_DIR/plugin-$1/rootfs/etc/sw-plugin" && printf '%s\n' "$2" >"$E2E_DIR/plugin-$1/config.json"
}
PLUGIN_BASE='"description":"sockwarden e2e","documentation":"-","entrypoint":["/bin/sh"],"interface":{"types":["docker.volumedriver/1.0"],"socket":"sw.sock"}'
plugin_dir sw-plug-priv "{$PLUGIN_BASE,\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\"]},\"mounts\":[{\"source\":\"/\",\"destination\":\"/host\",\"type\":\"bind\",\"options\":[\"rbind\"]}],\"network\":{\"type\":\"host\"}}" ||
  fail "plugin dir sw-plug-priv"
plugin_dir sw-plug-plain "{$PLUGIN_BASE}" || fail "plugin dir sw-plug-plain"
# A privileged plugin in the registry, for a real `docker plugin install` (a pull).
plugin_dir sw-plug-reg "{$PLUGIN_BASE,\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\"]},\"mounts\":[{\"source\":\"/\",\"destination\":\"/host\",\"type\":\"bind\",\"options\":[\"rbind\"]}],\"network\":{\"type\":\"host\"}}" ||
  fail "plugin dir sw-plug-reg"
python3 "$HERE/push_plugin.py" "$E2E_DIR/plugin-sw-plug-reg" "$REG_ADDR" sw-plug-reg 1 >/dev/null || fail "push the plugin"
plugin_dir sw-plug-set "{$PLUGIN_BASE,\"mounts\":[{\"name\":\"data\",\"source\":\"/tmp\",\"destination\":\"/data\",\"type\":\"bind\",\"options\":[\"rbind\"],\"settable\":[\"source\"]}],\"env\":[{\"name\":\"DEBUG\",\"settable\":[\"value\"],\"value\":\"0\"}]}" ||
  fail "plugin dir sw-plug-set"

EVENTS=$E2E_DIR/events.jsonl
AGENT_LOG=$E2E_DIR/agent.log
# --docker-data-root: the private daemon's state (a daemon found running is searched too).
"$BIN" run --no-default-sockets --socket "$E2E_SOCK" --tier "$TIER" --duration "$AGENT_MAX_SEC" \
  --docker-data-root "$E2E_DIR/data" --audit-interval 3600 >"$EVENTS" 2>"$AGENT_LOG" &
AGENT_PID=$!
e2e_agent_wait_ready "$AGENT_LOG" 30 || fail "agent not ready"

CLIENT_OUT=$E2E_DIR/client.json
python3 "$HERE/effects_client.py" "$E2E_SOCK" eff-target >"$CLIENT_OUT" || fail "effects client failed"
cat "$CLIENT_OUT"
# Each effect arrives when dockerd's state or the exec record shows it (the exec's command
# sleeps 2 s); the continuous audit runs 1.5 s after a risky create reaches it and names the
# create's caller in its findings. A missing one is reported by the checks below.
e2e_wait_effects "$EVENTS" "$CLIENT_OUT" 20 audit

# Image requests through the watched socket, judged by dockerd's repositories.json, each waited
# for before the next: a build that tags a new image B, a tag that points local/sw-evil:1 at B
# (it named C), a load of the poisoned tarball that points local/busybox:1 at C (the name is
# inside the tarball, which nothing decodes), an import (the pull endpoint), and a pull of
# sw-pulled:1 from the private registry (its tag and the manifest's digest reference).
# The classic builder (BuildKit would hijack the connection into a gRPC session).
DOCKER_BUILDKIT=0 e2e_docker build -q -t local/sw-built:1 "$E2E_DIR/build-ctx" >/dev/null || fail "docker build"
IMAGE_B=$(e2e_docker inspect -f '{{.Id}}' local/sw-built:1) || fail "docker inspect local/sw-built:1"
e2e_wait_image "$EVENTS" image-build
e2e_docker tag local/sw-built:1 local/sw-evil:1 || fail "docker tag"
e2e_wait_image "$EVENTS" image-tag
e2e_docker load -q -i "$E2E_DIR/poisoned.tar" >/dev/null || fail "docker load"
e2e_wait_image "$EVENTS" image-load
e2e_docker import "$E2E_DIR/import.tar" local/sw-imported:1 >/dev/null || fail "docker import"
IMAGE_I=$(e2e_docker inspect -f '{{.Id}}' local/sw-imported:1) || fail "docker inspect local/sw-imported:1"
e2e_wait_image "$EVENTS" image-pull
e2e_docker pull -q "$REG_ADDR/sw-pulled:1" >/dev/null || fail "docker pull from the registry"
IMAGE_P=$(e2e_docker inspect -f '{{.Id}}' "$REG_ADDR/sw-pulled:1") || fail "docker inspect sw-pulled:1"
e2e_wait_image "$EVENTS" image-pull 2
IMAGES_OUT=$E2E_DIR/images.json
printf '{"a":"%s","b":"%s","c":"%s","imported":"%s","pulled":"%s","pulled_ref":"%s","pulled_digest":"%s"}\n' \
  "$IMAGE_A" "$IMAGE_B" "$IMAGE_C" "$IMAGE_I" "$IMAGE_P" "$REG_ADDR/sw-pulled:1" "$PULLED_DIGEST" >"$IMAGES_OUT"
e2e_log "images: A $IMAGE_A, built B $IMAGE_B, poisoned C $IMAGE_C, imported $IMAGE_I"

# Plugin requests, each by its own docker CLI process (started directly, so $! is the CLI's pid,
# whose request event the checks look for): create the privileged plugin, the plain one, the
# settable one, then set its mount's source to /, then install (pull) a privileged plugin from
# the private registry, accepting its privileges. `enable` is not tested: the plugin must then
# serve its socket (dockerd waits ~20 s for it, then fails), which no offline plugin here does.
PLUGINS_OUT=$E2E_DIR/plugins.json
plugin_cli() {  # CASE ARGS...: runs `docker ARGS`, records the CLI's pid and its exit code
  local case=$1 pid rc
  shift
  DOCKER_CONFIG="$E2E_DIR/cli-config" docker -H "unix://$E2E_SOCK" "$@" >/dev/null &
  pid=$!
  wait "$pid"
  rc=$?
  PLUGIN_CASES+=("\"$case\":{\"pid\":$pid,\"rc\":$rc}")
  return "$rc"
}
# Until N plugin requests carry their effect (the store is read on the next tick at most), 10 s
# at most: each is waited for before the next changes the store (the set rewrites what the
# settable plugin's create must be judged by).
wait_plugin_effects() {
  local i
  for i in $(seq 100); do
    (($(grep '"action":"request"' "$EVENTS" | grep '"operation":"plugin-install"' | grep -c '"effect":') >= $1)) && return 0
    sleep 0.1
  done
  e2e_log "fewer than $1 plugin requests carry an effect after 10 s"
}
PLUGIN_CASES=()
plugin_cli create_priv plugin create sw-plug-priv "$E2E_DIR/plugin-sw-plug-priv" || fail "docker plugin create sw-plug-priv"
plugin_cli create_plain plugin create sw-plug-plain "$E2E_DIR/plugin-sw-plug-plain" || fail "docker plugin create sw-plug-plain"
plugin_cli create_set plugin create sw-plug-set "$E2E_DIR/plugin-sw-plug-set" || fail "docker plugin create sw-plug-set"
wait_plugin_effects 3
plugin_cli set plugin set sw-plug-set data.source=/ DEBUG=1 || fail "docker plugin set sw-plug-set"
wait_plugin_effects 4
# A pull from the registry, accepting the privileges it asks for (the body lists them).
plugin_cli pull plugin install --disable --grant-all-permissions --alias sw-plug-pulled "$REG_ADDR/sw-plug-reg:1" ||
  fail "docker plugin install from the registry"
wait_plugin_effects 5
PLUGIN_IDS=()
for p in "${PLUGINS[@]}"; do
  id=$(e2e_docker plugin inspect -f '{{.Id}}' "$p") || fail "docker plugin inspect $p"
  PLUGIN_IDS+=("\"$p\":\"$id\"")
done
(IFS=,; printf '{"cases":{%s},"ids":{%s}}\n' "${PLUGIN_CASES[*]}" "${PLUGIN_IDS[*]}") >"$PLUGINS_OUT"
cat "$PLUGINS_OUT"
e2e_agent_finish "$AGENT_LOG" || exit 1
python3 "$HERE/../schema/validate_events.py" "$EVENTS" || fail "events do not match schema/sockwarden-event.schema.json"
python3 "$HERE/check_dockerd_effects.py" "$EVENTS" --client "$CLIENT_OUT" --tier "$TIER" --target-id "$TARGET_ID" \
  --plugins "$PLUGINS_OUT"
rc=$?
python3 "$HERE/check_image_effects.py" "$EVENTS" --images "$IMAGES_OUT" || rc=1
exit $rc
