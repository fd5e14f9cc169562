#!/usr/bin/env python3
"""An OCI image archive (oci-layout, one uncompressed layer) from a rootfs directory, offline:
what `ctr images import` takes (tests/e2e/test_cri_effects.sh: the pod sandbox and container image).

    oci_image.py ROOTFS OUT.tar REF ENTRYPOINT...
"""
import hashlib, io, json, os, sys, tarfile, time
rootfs, out, ref, entry = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    for dirpath, dirnames, filenames in os.walk(rootfs):
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            t.add(p, arcname=os.path.relpath(p, rootfs), recursive=False)
layer = buf.getvalue()
def blob(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux",
    "config": {"Entrypoint": entry, "Env": ["PATH=/bin"]},
    "rootfs": {"type": "layers", "diff_ids": [blob(layer)]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config), "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": blob(layer), "size": len(layer)}]}).encode()
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": blob(manifest), "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": ref,
    "io.containerd.image.name": ref}}]}).encode()
with tarfile.open(out, "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = int(time.time()); t.addfile(ti, io.BytesIO(data))
    add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add("index.json", index)
    for b in (layer, config, manifest):
        add("blobs/sha256/" + blob(b)[7:], b)
