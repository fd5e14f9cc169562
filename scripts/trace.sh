#!/usr/bin/env bash
# Set up, build, and run `sockwarden trace` on the default runtime sockets.
# Arguments go to `sockwarden trace` (e.g. --json, --socket PATH, --duration 30).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $EUID -ne 0 ]]; then
  echo "trace.sh: run as root (sudo $0): sockwarden loads BPF programs into the kernel" >&2
  exit 3
fi
"$root/scripts/build.sh" --agent >&2
exec "${BUILD_DIR:-$root/build}/userspace/sockwarden" trace "$@"
