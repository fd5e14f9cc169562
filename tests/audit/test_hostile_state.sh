#!/usr/bin/env bash
# `sockwarden audit` (the real binary) on a Docker data root holding hostile runtime state:
#   a privileged container with / mounted (the finding that must never be lost),
#   a container whose hostconfig.json is not an object and whose image is null,
#   a container whose name carries terminal escapes (clear screen, set title, bell).
# The audit must still report the privileged one, give the broken one an audit-error (never
# "clean"), and print no raw control character in its text report; --json must parse.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
id() { printf "$1%.0s" {1..64}; }
mk() { mkdir -p "$work/containers/$(id "$1")"; printf '%s' "$2" >"$work/containers/$(id "$1")/config.v2.json"; printf '%s' "$3" >"$work/containers/$(id "$1")/hostconfig.json"; }
mk a '{"Name":"/good-priv","Config":{"Image":"busybox"},"State":{"Running":true}}' '{"Privileged":true,"Binds":["/:/host"]}'
mk b '{"Name":"/broken","Config":{"Image":null},"State":{"Running":true}}' '[null]'
mk c '{"Name":"/evil\u001b[2J\u001b]0;pwned\u0007","Config":{"Image":"x"},"State":{"Running":true}}' '{"Privileged":false,"Binds":["/etc:/e"]}'
args=(--no-default-sockets --socket "$work/none.sock" --docker-data-root "$work")

set +e
"$bin" audit "${args[@]}" >"$work/report.txt" 2>"$work/err.txt"; rc=$?
"$bin" audit --json "${args[@]}" >"$work/report.json" 2>>"$work/err.txt"; jrc=$?
set -e
[[ $rc == 2 && $jrc == 2 ]] || { cat "$work/err.txt" >&2; fail "exit codes $rc/$jrc, want 2 (critical findings)"; }
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$work/report.txt"; then fail "raw control characters in the text report"; fi
grep -qF 'container evil\x1b[2J\x1b]0;pwned\x07' "$work/report.txt" || fail "the escaped container name is not in the text report"
python3 - "$work/report.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {(f["check"], f["subject"]) for f in d["findings"]}
want = {("privileged-host-root", "container good-priv"), ("audit-error", "container broken")}
missing = want - got
if missing: sys.exit(f"FAIL: missing findings {missing}; got {sorted(got)}")
if not any(c == "sensitive-mount" and "evil" in s for c, s in got): sys.exit(f"FAIL: the escape-named container's mount is not reported: {sorted(got)}")
print("ok:", len(got), "findings")
PY
echo "ok: hostile runtime state: privileged finding kept, audit-error for the broken container, no raw escapes"
