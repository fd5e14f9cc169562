#!/usr/bin/env bash
# run_fuzzer.sh FUZZER SEED_DIR SECONDS: one bounded libFuzzer run from the committed seeds.
# New corpus entries go to a temp dir (the committed seeds stay as they are); a crash
# reproducer is kept in $FUZZ_ARTIFACTS (default /tmp) and named in the output.
set -euo pipefail
fuzzer=$1 seeds=$2 secs=${3:-20}
work=$(mktemp -d /tmp/sw-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
art=${FUZZ_ARTIFACTS:-/tmp}/sw-fuzz-$(basename "$fuzzer")-
# -rss_limit_mb / -malloc_limit_mb: a decoder that grows without bound fails the run.
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=512 -malloc_limit_mb=256 -max_len=65536 \
  -timeout=10 -print_final_stats=1 -artifact_prefix="$art" "$work" "$seeds"
