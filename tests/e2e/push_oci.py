#!/usr/bin/env python3
"""Pushes the image of an OCI archive (oci_image.py's output) to a plain-HTTP registry with the
registry's v2 API (blob uploads, then the manifest), as a client's push does: what a pull then
fetches, offline (tests/e2e/registry.sh runs Debian's docker-registry on 127.0.0.1).

    push_oci.py ARCHIVE.tar HOST:PORT REPOSITORY TAG
"""
import http.client
import json
import sys
import tarfile

archive, hostport, repo, tag = sys.argv[1:5]
t = tarfile.open(archive)


def blob(digest):
    return t.extractfile("blobs/sha256/" + digest.split(":", 1)[1]).read()


def call(method, path, body=b"", headers=None):
    c = http.client.HTTPConnection(hostport, timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"push_oci: {method} {path}: {r.status} {data[:200]!r}")
    return r, data


index = json.loads(t.extractfile("index.json").read())
desc = index["manifests"][0]
manifest = blob(desc["digest"])
m = json.loads(manifest)
for d in [m["config"]] + m["layers"]:
    r, _ = call("POST", f"/v2/{repo}/blobs/uploads/")
    loc = r.getheader("Location")
    sep = "&" if "?" in loc else "?"
    path = loc.split(hostport, 1)[-1] if loc.startswith("http") else loc
    call("PUT", f"{path}{sep}digest={d['digest']}", blob(d["digest"]),
         {"Content-Type": "application/octet-stream"})
call("PUT", f"/v2/{repo}/manifests/{tag}", manifest, {"Content-Type": desc["mediaType"]})
print(desc["digest"])
