#!/usr/bin/env python3
"""Fails when a userspace folder includes a folder above it in the layer order.

The order (bottom first) is the order userspace/CMakeLists.txt includes the folders'
files.cmake; docs/architecture.md states it. A folder may include itself and any folder
below it; bpf/ headers (events.h) are below everything; main.cpp is the top.

usage: check-include-order.py USERSPACE_DIR [STAMP_FILE]
"""
import os
import re
import sys

userspace = sys.argv[1]
cmake = open(os.path.join(userspace, 'CMakeLists.txt')).read()
order = re.findall(r'^include\((\w+)/files\.cmake\)', cmake, flags=re.M)
rank = {folder: i for i, folder in enumerate(order)}
errors = []
for folder in sorted(os.listdir(userspace)):
    path = os.path.join(userspace, folder)
    if not os.path.isdir(path):
        continue
    if folder not in rank:
        errors.append(f'userspace/{folder}/ is not in the layer order of userspace/CMakeLists.txt')
        continue
    for name in sorted(os.listdir(path)):
        if not name.endswith(('.h', '.cpp')):
            continue
        for lineno, line in enumerate(open(os.path.join(path, name), encoding='utf-8'), 1):
            m = re.match(r'\s*#\s*include\s*"(\w+)/', line)
            if not m:
                continue
            target = m.group(1)
            if target not in rank:
                errors.append(f'userspace/{folder}/{name}:{lineno}: includes unknown folder {target}/')
            elif rank[target] > rank[folder]:
                errors.append(f'userspace/{folder}/{name}:{lineno}: {folder}/ includes {target}/, '
                              f'which is above it (order: {" < ".join(order)})')
for e in errors:
    print(e, file=sys.stderr)
if errors:
    sys.exit(1)
if len(sys.argv) > 2:
    open(sys.argv[2], 'w').write('ok\n')
