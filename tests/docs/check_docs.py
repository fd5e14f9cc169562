#!/usr/bin/env python3
"""Keeps the documentation true: every relative link (and #anchor) in README.md, docs/ and
vmtest/README.md resolves, and every long option of every subcommand's --help is documented
somewhere in README.md or docs/.

usage: check_docs.py REPO_ROOT SOCKWARDEN_BINARY
"""
import os
import re
import subprocess
import sys

root, binary = sys.argv[1], sys.argv[2]
errors = []

def md_files():
    yield os.path.join(root, 'README.md')
    yield os.path.join(root, 'vmtest', 'README.md')
    d = os.path.join(root, 'docs')
    for name in sorted(os.listdir(d)):
        if name.endswith('.md'):
            yield os.path.join(d, name)

def slug(heading):
    # GitHub's anchor rule: lower case, drop punctuation except '-' and '_', spaces -> '-'.
    s = heading.strip().lower()
    s = re.sub(r'[^\w\- ]', '', s)
    return s.replace(' ', '-')

def anchors(path):
    out, fence = set(), False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
        m = None if fence else re.match(r'^#{1,6} (.*)', line)
        if m:
            out.add(slug(m.group(1)))
    return out

def strip_code(text):
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    return re.sub(r'`[^`\n]*`', '', text)

docs_text = ''
for md in md_files():
    text = open(md, encoding='utf-8').read()
    docs_text += text
    for target in re.findall(r'\]\(([^)\s]+)\)', strip_code(text)):
        if re.match(r'^[a-z]+://', target) or target.startswith('mailto:'):
            continue
        file_part, _, anchor = target.partition('#')
        dest = md if not file_part else os.path.normpath(os.path.join(os.path.dirname(md), file_part))
        rel = os.path.relpath(md, root)
        if not os.path.exists(dest):
            errors.append(f'{rel}: link to missing file {target}')
            continue
        if anchor and dest.endswith('.md') and anchor not in anchors(dest):
            errors.append(f'{rel}: link to missing anchor {target}')

def help_text(*args):
    r = subprocess.run([binary, *args, '--help'], capture_output=True, text=True)
    if r.returncode != 0:
        errors.append(f'{" ".join(args)} --help exited {r.returncode}')
    return r.stdout

top = help_text()
subcommands = re.findall(r'^  ([a-z]+)\s{2,}', top.split('Subcommands:', 1)[-1], flags=re.M)
if len(subcommands) < 5:
    errors.append(f'found only {subcommands} in the top-level --help')
for sub in subcommands:
    for opt in sorted(set(re.findall(r'(--[a-z][a-z0-9-]+)', help_text(sub)))):
        if opt == '--help':
            continue
        if not re.search(re.escape(opt) + r'(?![a-z0-9-])', docs_text):
            errors.append(f'`sockwarden {sub} {opt}` is not documented in README.md or docs/')

for e in errors:
    print('FAIL:', e)
if errors:
    sys.exit(1)
print(f'docs ok: links and options of {len(subcommands)} subcommands')
