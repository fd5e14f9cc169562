#!/usr/bin/env python3
"""Pushes the image of an OCI archive (oci_image.py's output) to a plain-HTTP registry with the
registry's v2 API (blob uploads, then the manifest), as a client's push does: what a pull then
fetches, offline (tests/e2e/registry.sh runs Debian's docker-registry on 127.0.0.1).

    push_oci.py ARCHIVE.tar HOST:PORT REPOSITORY TAG
"""
import json
import sys
import tarfile

from registry_client import Registry

archive, hostport, repo, tag = sys.argv[1:5]
t = tarfile.open(archive)


def blob(digest):
    return t.extractfile("blobs/sha256/" + digest.split(":", 1)[1]).read()


reg = Registry(hostport, "push_oci")
index = json.loads(t.extractfile("index.json").read())
desc = index["manifests"][0]
manifest = blob(desc["digest"])
m = json.loads(manifest)
for d in [m["config"]] + m["layers"]:
    reg.push_blob(repo, d["digest"], blob(d["digest"]))
reg.push_manifest(repo, tag, manifest, desc["mediaType"])
print(desc["digest"])
