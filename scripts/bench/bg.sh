#!/usr/bin/env bash
# Background processes of one measurement (servers, clients, the agent), sourced by
# throughput.sh and footprint.sh. A measurement appends what it starts to BG_PIDS and empties
# it once it has waited for all of them; when it fails half-way, the script's exit trap calls
# bg_cleanup, which stops what is left, by pid (only pids not yet waited for, so never a
# reused one).
BG_PIDS=()

bg_cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  BG_PIDS=()
}
