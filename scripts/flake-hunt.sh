#!/usr/bin/env bash
# Repeats chosen tests until one fails: the habit for a test suspected of flaking.
#   scripts/flake-hunt.sh N REGEX [ctest args...]
# runs the ctest tests whose names match REGEX (e.g. 'e2e.image.socket_tp', 'vmtest.matrix',
# 'unit.Decode.*') up to N times each, stopping at the first failure, whose output is shown.
# Needs a built tree (scripts/build.sh) and, for privileged tests, root. Env: BUILD_DIR.
# It is ctest's own `--repeat until-fail:N`; the summary line says how many runs passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
if (($# < 2)) || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: flake-hunt.sh N REGEX [ctest args...]   (e.g. flake-hunt.sh 20 e2e.image)" >&2
  exit 2
fi
n=$1 regex=$2
shift 2
[[ -f $build/CTestTestfile.cmake ]] || { echo "flake-hunt.sh: no test tree in $build: run scripts/build.sh" >&2; exit 2; }
cd "$build"
if ! grep -qE '^ *Test +#' <<<"$(ctest -N -R "$regex")"; then
  echo "flake-hunt.sh: no test matches '$regex' (ctest -N lists them)" >&2
  exit 2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
ctest -R "$regex" --repeat until-fail:"$n" --output-on-failure "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
ntests=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#' "$log" || true)
if ((rc == 0)); then
  echo "flake-hunt: '$regex' each of the $ntests matching test(s) passed $n time(s) in a row"
else
  echo "flake-hunt: '$regex' FAILED (see above; $ntests test runs before it stopped)"
fi
exit "$rc"
