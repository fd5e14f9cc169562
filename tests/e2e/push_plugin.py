#!/usr/bin/env python3
"""Pushes a Docker plugin (a directory with config.json and rootfs/, as `docker plugin create`
takes it) to a plain-HTTP registry in the form `docker plugin install` pulls: a schema2 manifest
whose config is the plugin config (media type application/vnd.docker.plugin.v1+json, with its
rootfs diff id) and one gzipped rootfs layer. Offline, for tests/e2e/test_dockerd_effects.sh.

    push_plugin.py PLUGIN_DIR HOST:PORT REPOSITORY TAG
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

from registry_client import Registry

plugin_dir, hostport, repo, tag = sys.argv[1:5]


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    root = os.path.join(plugin_dir, "rootfs")
    for dirpath, dirnames, filenames in os.walk(root):
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            t.add(p, arcname=os.path.relpath(p, root), recursive=False)
rootfs = buf.getvalue()
layer = gzip.compress(rootfs, mtime=0)
config = json.load(open(os.path.join(plugin_dir, "config.json")))
config["rootfs"] = {"type": "layers", "diff_ids": [digest(rootfs)]}
config = json.dumps(config).encode()
manifest = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.plugin.v1+json", "size": len(config), "digest": digest(config)},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                "digest": digest(layer)}],
}).encode()


reg = Registry(hostport, "push_plugin")
for b in (config, layer):
    reg.push_blob(repo, digest(b), b)
reg.push_manifest(repo, tag, manifest, "application/vnd.docker.distribution.manifest.v2+json")
print(digest(manifest))
