#!/usr/bin/env bash
# Start the sockwarden image with least privilege (flags and reasons: run-flags.sh).
#
#   deploy/docker/run.sh [SOCKWARDEN ARGS...]
#     no args: the image's default (run --config /etc/sockwarden/config.yaml --host-root /proc/1/root)
#   Env: SOCKWARDEN_IMAGE (default sockwarden:local), SW_NAME (container name, default sockwarden),
#        SW_DOCKER_CONTAINERS (docker's containers dir, default /var/lib/docker/containers),
#        DOCKER_HOST as usual. Events: docker logs -f sockwarden (JSON lines on stdout).
set -euo pipefail
# shellcheck source=SCRIPTDIR/run-flags.sh
source "$(dirname "$0")/run-flags.sh"
sw_docker_caps
sw_docker_run_args ""  # "": the cgroup2 mount found in mountinfo
echo "run.sh: capabilities ${SW_CAPS[*]}" >&2
exec docker run -d --name "${SW_NAME:-sockwarden}" "${SW_RUN_ARGS[@]}" "${SOCKWARDEN_IMAGE:-sockwarden:local}" "$@"
