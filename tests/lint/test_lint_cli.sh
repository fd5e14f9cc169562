#!/bin/bash
# sockwarden lint through the real binary: exit codes, --json, --sarif (checked
# against tests/lint/sarif-2.1.0-subset.schema.json), error messages.
# Usage: test_lint_cli.sh SOCKWARDEN_BINARY
set -u
BIN=${1:?usage: $0 SOCKWARDEN_BINARY}
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=$HERE/corpus
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_rc WANT CMD...: runs CMD with stdout/stderr to $TMP/out, $TMP/err
expect_rc() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  [ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want; stderr: $(head -c 400 "$TMP/err")"
}

# Exit codes, as in `sockwarden audit`, plus 5 for input errors.
expect_rc 0 "$BIN" lint "$CORPUS/compose/good.yml" "$CORPUS/k8s/good.yaml" "$CORPUS/tricky"
grep -q "0 findings" "$TMP/out" || fail "clean files: summary line missing: $(tail -1 "$TMP/out")"
expect_rc 1 "$BIN" lint "$CORPUS/systemd/docker-tls-noverify.service"
expect_rc 2 "$BIN" lint "$CORPUS"
expect_rc 5 "$BIN" lint "$HERE/bad-input/broken.yaml" "$CORPUS/compose/good.yml"
grep -Eq "broken\.yaml:5: error: malformed YAML: illegal map value" "$TMP/err" || fail "no FILE:LINE: error for malformed YAML"
expect_rc 5 "$BIN" lint --json "$TMP/does-not-exist"
grep -q "does-not-exist:0: error: cannot read" "$TMP/err" || fail "--json: input error not on stderr"
# An unreadable file (as an unprivileged user: root reads everything).
mkdir -m 755 "$TMP/ro" && cp "$CORPUS/compose/good.yml" "$TMP/ro/unreadable.yml" && chmod 000 "$TMP/ro/unreadable.yml"
chmod 755 "$TMP"
if [ "$(id -u)" = 0 ]; then
  expect_rc 5 setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" lint "$TMP/ro/unreadable.yml"
else
  expect_rc 5 "$BIN" lint "$TMP/ro/unreadable.yml"
fi
grep -q "unreadable.yml:0: error: cannot read: Permission denied" "$TMP/err" || fail "unreadable file: $(cat "$TMP/err")"
# Bad usage: exit 2 with a message, like audit.
expect_rc 2 "$BIN" lint
expect_rc 2 "$BIN" lint --json --sarif "$CORPUS"
expect_rc 0 "$BIN" lint --help
grep -q "SW-LINT-011" "$TMP/out" || fail "--help does not explain suppressions"
grep -q "5 an input could not be read" "$TMP/out" || fail "--help does not document exit 5"

# --json: the same findings as the expectations file, suppressed ones included.
expect_rc 2 "$BIN" lint --json "$CORPUS"
python3 - "$TMP/out" "$HERE/expected.txt" "$CORPUS" <<'PY' || fail "--json does not match expected.txt"
import collections, json, sys
doc = json.load(open(sys.argv[1]))
want = collections.Counter(l.strip() for l in open(sys.argv[2]) if l.strip() and not l.startswith("#"))
corpus = sys.argv[3].rstrip("/") + "/"
got = collections.Counter(
    "%s:%d %s %s%s" % (f["file"][len(corpus):], f["line"], f["rule_id"], f["severity"], " suppressed" if f["suppressed"] else "")
    for f in doc["findings"])
if got != want:
    print("missing:", sorted((want - got).elements()), "\nextra:", sorted((got - want).elements()))
    sys.exit(1)
for f in doc["findings"]:
    assert f["remediation"] and f["message"] and f["rule_name"], f
    if f["suppressed"]:
        assert f["suppression"]["reason"], f
assert doc["exit_code"] == 2 and doc["summary"]["suppressed"] == 4, doc["summary"]
assert doc["summary"]["findings"] == len(doc["findings"]) - 4
PY

# --sarif: schema subset, rule indexes, suppressions, relative URIs.
(cd "$CORPUS/.." && "$BIN" lint --sarif corpus >"$TMP/sarif.json"; echo $? >"$TMP/sarif.rc")
[ "$(cat "$TMP/sarif.rc")" = 2 ] || fail "--sarif exit $(cat "$TMP/sarif.rc"), want 2"
python3 - "$TMP/sarif.json" "$HERE/sarif-2.1.0-subset.schema.json" <<'PY' || fail "--sarif output invalid"
import json, sys, jsonschema
sarif = json.load(open(sys.argv[1]))
jsonschema.validate(sarif, json.load(open(sys.argv[2])))
run = sarif["runs"][0]
rules = run["tool"]["driver"]["rules"]
assert len(rules) == 11, len(rules)
assert len(run["results"]) == 94, len(run["results"])
for r in run["results"]:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"], r
    uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("corpus/"), uri
suppressed = [r for r in run["results"] if "suppressions" in r]
assert len(suppressed) == 4, len(suppressed)
assert all(s["suppressions"][0]["kind"] == "inSource" and s["suppressions"][0]["justification"] for s in suppressed)
assert run["invocations"][0]["executionSuccessful"] is True
PY
# A broken input shows up as a tool notification and executionSuccessful false.
"$BIN" lint --sarif "$HERE/bad-input/broken.yaml" >"$TMP/broken.sarif" 2>/dev/null
python3 - "$TMP/broken.sarif" "$HERE/sarif-2.1.0-subset.schema.json" <<'PY' || fail "--sarif with an input error invalid"
import json, sys, jsonschema
sarif = json.load(open(sys.argv[1]))
jsonschema.validate(sarif, json.load(open(sys.argv[2])))
inv = sarif["runs"][0]["invocations"][0]
assert inv["executionSuccessful"] is False and inv["toolExecutionNotifications"], inv
PY

[ "$failures" = 0 ] && echo "lint CLI: all checks passed" || { echo "lint CLI: $failures failure(s)"; exit 1; }
