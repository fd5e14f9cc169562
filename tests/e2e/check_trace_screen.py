#!/usr/bin/env python3
"""Checks what `sockwarden trace` put on a terminal (a `script` typescript).

  check_trace_screen.py SCREEN --width N --view requests|all --container NAME
                        [--resized-at BYTE --resized-width M]

SCREEN is the raw typescript: the pty's bytes, colour codes and CRLFs included.
Checks: no line is wider than the terminal (M columns for the lines written from
byte BYTE on, where a second header shows the new columns), rows are in time
order and each request row comes after a connect row of the same caller, the
view's rows (requests: no send/reply rows; all: some of each), and Top callers
names the container NAME (not a cgroup id) as the rows do.
Exit 0 when every check passes, 1 otherwise (each failure printed).
"""
import argparse
import re
import sys
import unicodedata

SGR = re.compile(rb"\x1b\[[0-9;]*m")
ROW = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} ")

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def columns(text):
    """Terminal columns of a line (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def screen_lines(raw, start=0, end=None):
    out = []
    for line in raw[start:end].split(b"\n"):
        line = SGR.sub(b"", line).rstrip(b"\r")
        text = line.decode("utf-8", errors="replace")
        if text.startswith("Script started") or text.startswith("Script done"):
            continue
        out.append(text)
    return out


def parse(lines):
    """Rows as dicts keyed by header label (DETAIL: the rest), in screen order."""
    rows, header, summary, in_summary = [], None, [], False
    for text in lines:
        if text.startswith("TIME "):
            header = text.split()
            continue
        if text == "Top callers":
            in_summary = True
        if in_summary:
            summary.append(text)
            continue
        if header and ROW.match(text):
            cells = text.split(None, len(header) - 1)
            rows.append(dict(zip(header, cells)))
    return rows, summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("screen")
    ap.add_argument("--width", type=int, required=True)
    ap.add_argument("--view", choices=["requests", "all"], required=True)
    ap.add_argument("--container", required=True)
    ap.add_argument("--resized-at", type=int)
    ap.add_argument("--resized-width", type=int)
    a = ap.parse_args()
    raw = open(a.screen, "rb").read()

    # 1. Width: nothing wraps.
    cut = a.resized_at if a.resized_at is not None else len(raw)
    before = screen_lines(raw, 0, cut)
    after = screen_lines(raw, cut) if a.resized_at is not None else []
    wide = [l for l in before if columns(l) > a.width]
    check(not wide, f"every line fits in {a.width} columns (widest {max(map(columns, before), default=0)})"
          + (f": {wide[0]!r}" if wide else ""))
    if a.resized_at is not None:
        wide = [l for l in after if columns(l) > a.resized_width]
        check(not wide, f"after the resize every line fits in {a.resized_width} columns"
              + (f": {wide[0]!r}" if wide else ""))
        headers = [l for l in screen_lines(raw) if l.startswith("TIME ")]
        check(len(headers) == 2, f"the header is printed again for the new width ({len(headers)} headers)")
        if len(headers) == 2:
            check(headers[1] != headers[0] and columns(headers[1]) <= a.resized_width,
                  f"the second header has the new columns: {headers[1]!r}")
        check(any(ROW.match(l) for l in after), "rows were printed after the resize")
    lines = screen_lines(raw)
    header_lines = [l for l in lines if l.startswith("TIME ")]
    check(bool(header_lines), "the table header is on the screen")
    final_lines, final_width = (after, a.resized_width) if a.resized_at is not None else (before, a.width)
    check(any(columns(l) == final_width for l in final_lines if ROW.match(l)),
          f"rows use the terminal's width (some row is exactly {final_width} columns)")

    # 2. Rows: time order, connect before its caller's requests. With a resize the
    # columns change, so each part is parsed with its own header.
    rows, summary = parse(lines)
    check(len(rows) >= 8, f"{len(rows)} rows")
    times = [r["TIME"] for r in rows]
    inversions = [(times[i - 1], times[i]) for i in range(1, len(times)) if times[i] < times[i - 1]]
    check(not inversions, f"rows are in time order ({len(inversions)} inversions"
          + (f", first {inversions[0]}" if inversions else "") + ")")
    check(not any("out of time order" in l for l in lines), "no 'rows out of time order' line")
    actions = [r.get("ACTION", "") for r in rows]
    if "PID" in header_lines[0].split():
        seen_connect, orphans = set(), []
        for r in rows:
            pid = r.get("PID")
            if pid is None:
                continue
            if r.get("ACTION") == "connect":
                seen_connect.add(pid)
            elif r.get("ACTION") == "request" and pid not in seen_connect:
                orphans.append(r["TIME"] + " pid " + pid)
        check(not orphans, "every request row follows a connect row of its caller"
              + (f" (not: {orphans[:3]})" if orphans else ""))
        check(actions.count("request") >= 8 and actions.count("connect") >= 4,
              f"{actions.count('connect')} connect rows, {actions.count('request')} request rows")
    else:
        check(False, "PID column shown at the starting width")

    # 3. The view.
    raw_rows = [a_ for a_ in actions if a_ in ("send", "reply")]
    if a.view == "requests":
        check(not raw_rows, f"default view: no send/reply rows ({len(raw_rows)})")
    else:
        check(actions.count("send") > 0 and actions.count("reply") > 0,
              f"--view all: {actions.count('send')} send and {actions.count('reply')} reply rows")

    # 4. The rows and Top callers name the container the same way.
    named_rows = [r for r in rows if r.get("CONTAINER") == a.container]
    check(bool(named_rows), f"rows name the container {a.container}")
    check(bool(summary) and "CONTAINER" in (summary[1] if len(summary) > 1 else ""),
          "Top callers has a CONTAINER column")
    named = [l for l in summary if re.search(r"(^|\s)" + re.escape(a.container) + r"(\s|$)", l)]
    check(bool(named), f"Top callers names {a.container}: " + (named[0] if named else repr(summary[:4])))
    hexid = [l for l in summary if re.search(r"\b[0-9a-f]{12}\b", l)]
    check(not hexid, "Top callers shows no cgroup id prefix" + (f": {hexid[0]!r}" if hexid else ""))

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
