#!/usr/bin/env python3
"""Validate sockwarden JSON lines against schema/sockwarden-event.schema.json.

usage: validate_events.py [--require-actions a,b,...] [--schema FILE] FILE... ("-" = stdin)

Every line that is a JSON object is an event and must validate; the final
`{"summary": ...}` line of `trace --json` is skipped. Lines that are not JSON
objects (logs interleaved on a shared stream) fail unless --skip-non-json.
Exit 0 if every event validates (and every required action was seen), 1 if not.
"""
import argparse
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "..", "schema", "sockwarden-event.schema.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--schema", default=DEFAULT_SCHEMA)
    ap.add_argument("--require-actions", default="")
    ap.add_argument("--skip-non-json", action="store_true")
    args = ap.parse_args()

    with open(args.schema) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    failures = 0
    events = 0
    actions = {}
    for path in args.files:
        stream = sys.stdin if path == "-" else open(path, errors="replace")
        with stream:
            for n, line in enumerate(stream, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    doc = json.loads(line)
                except ValueError:
                    doc = None
                if not isinstance(doc, dict):
                    if args.skip_non_json:
                        continue
                    failures += 1
                    print(f"{path}:{n}: not a JSON object: {line[:120]}", file=sys.stderr)
                    continue
                if set(doc) == {"summary"}:
                    continue
                events += 1
                action = doc.get("event", {}).get("action", "?") if isinstance(doc.get("event"), dict) else "?"
                actions[action] = actions.get(action, 0) + 1
                errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
                if errs:
                    failures += 1
                    for e in errs[:5]:
                        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
                        print(f"{path}:{n}: {action}: {where}: {e.message[:300]}", file=sys.stderr)
    missing = [a for a in args.require_actions.split(",") if a and a not in actions]
    summary = ", ".join(f"{a} {c}" for a, c in sorted(actions.items()))
    print(f"validated {events} events ({summary}); {failures} invalid")
    if missing:
        print(f"missing actions: {', '.join(missing)}", file=sys.stderr)
    return 1 if failures or missing or events == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
