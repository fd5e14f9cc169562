#!/usr/bin/python3
"""One multi-architecture image from single-architecture `docker save` archives, offline.

    oci_image_index.py --name REF -o OUT.tar SAVED.tar [SAVED.tar ...]

Each SAVED.tar is `docker save` of one image (scripts/build-image.sh builds sockwarden:local for
linux/amd64 and sockwarden:local-arm64 for linux/arm64). OUT.tar is an OCI image layout
(oci-layout, index.json, blobs/sha256/...) whose index.json names one image index, REF, listing
each image's manifest with its platform (os/architecture from the image's own config):
`ctr -n k8s.io images import OUT.tar` then gives a node one reference that containerd (and so
kubelet) resolves to the node's own architecture. REF is the full name containerd stores
(`docker.io/library/sockwarden:local` is what kubelet looks up for `image: sockwarden:local`),
set as both io.containerd.image.name (what containerd's importer uses) and
org.opencontainers.image.ref.name (what other OCI tools read).

The config and layer bytes are copied unchanged, so their digests are the ones docker computed
(the image ID is the config's digest); the archives are treated as untrusted: member names,
types and sizes are checked, every layer's digest must be the diff_id its config lists, and the
config's own file name, when it is a digest, must match its content. Layers stay as docker saved
them (uncompressed tar: application/vnd.oci.image.layer.v1.tar; gzip is recognised too).

Reads both docker save layouts: the legacy one (docker < 25: <id>.json, <id>/layer.tar) and the
OCI-based one (docker >= 25: blobs/sha256/<digest>), through their manifest.json.
Standard library only (Debian's /usr/bin/python3).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sys
import tarfile
import tempfile

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"

# Platforms this project builds images for (scripts/build-image.sh --platform).
KNOWN_ARCHITECTURES = {"amd64", "arm64"}
# Bounds for what is read into memory (manifest.json, the config) and what is copied (layers).
MAX_JSON_BYTES = 4 << 20
MAX_LAYER_BYTES = 8 << 30
MAX_LAYERS = 127          # docker's own limit on layers per image
MAX_MEMBERS = 10000
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
CHUNK = 1 << 20
# [domain[:port]/]path-component[/...]:tag, the distribution reference grammar (tag required:
# the point is a name nodes resolve).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
REFERENCE_RE = re.compile(r"(?:%s(?:\.%s)*(?::[0-9]+)?/)?%s(?:/%s)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
                          % (_DOMAIN_PART, _DOMAIN_PART, _COMPONENT, _COMPONENT))


class BadArchive(Exception):
    pass


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def safe_name(name):
    """A member name as a relative, normalised path; None if it could escape or is ambiguous."""
    if not name or "\\" in name or "\0" in name or name.startswith("/"):
        return None
    norm = posixpath.normpath(name)
    if norm in (".", "..") or norm.startswith("../"):
        return None
    return norm


class SavedImage:
    """One `docker save` archive: its members indexed by normalised name, read on demand."""

    def __init__(self, path):
        self.path = path
        self.tar = tarfile.open(path, mode="r:")  # docker save output is an uncompressed tar
        self.members = {}
        for count, m in enumerate(self.tar, 1):
            if count > MAX_MEMBERS:
                raise BadArchive("more than %d members" % MAX_MEMBERS)
            name = safe_name(m.name)
            if name is None:
                raise BadArchive("unsafe member name %r" % m.name)
            if m.isdir():
                continue
            if not (m.isfile() or m.issym()):
                raise BadArchive("member %s is neither a file nor a symlink (type %r)" % (name, m.type))
            if name in self.members:
                raise BadArchive("member %s appears twice" % name)
            self.members[name] = m

    def member(self, name, what):
        """The regular file NAME (a path from manifest.json), following symlinks inside the
        archive: legacy docker save links a layer repeated in the image to its first copy."""
        norm = safe_name(name)
        if norm is None:
            raise BadArchive("%s path %r is not a safe relative path" % (what, name))
        for _ in range(8):
            m = self.members.get(norm)
            if m is None:
                raise BadArchive("%s %s is not in the archive" % (what, norm))
            if m.isfile():
                return m
            target = safe_name(posixpath.join(posixpath.dirname(norm), m.linkname))
            if target is None or m.linkname.startswith("/"):
                raise BadArchive("%s %s links outside the archive (%r)" % (what, norm, m.linkname))
            norm = target
        raise BadArchive("%s %s: too many symlinks" % (what, name))

    def read_json(self, name, what):
        m = self.member(name, what)
        if m.size > MAX_JSON_BYTES:
            raise BadArchive("%s %s is %d bytes (limit %d)" % (what, m.name, m.size, MAX_JSON_BYTES))
        data = self.tar.extractfile(m).read()
        if len(data) != m.size:
            raise BadArchive("%s %s is truncated" % (what, m.name))
        try:
            return data, json.loads(data)
        except ValueError as e:
            raise BadArchive("%s %s is not JSON: %s" % (what, m.name, e))

    def copy_member(self, m, out):
        """Copies member M to file OUT; returns (digest, size) of the exact bytes copied."""
        h = hashlib.sha256()
        size = 0
        src = self.tar.extractfile(m)
        while True:
            chunk = src.read(CHUNK)
            if not chunk:
                break
            h.update(chunk)
            out.write(chunk)
            size += len(chunk)
        if size != m.size:
            raise BadArchive("%s is truncated (%d of %d bytes)" % (m.name, size, m.size))
        return "sha256:" + h.hexdigest(), size


def diff_id_of(spool, media_type):
    """The digest of the uncompressed layer (what the config's rootfs.diff_ids lists)."""
    spool.seek(0)
    h = hashlib.sha256()
    src = gzip.GzipFile(fileobj=spool, mode="rb") if media_type == OCI_LAYER_GZIP else spool
    while True:
        chunk = src.read(CHUNK)
        if not chunk:
            break
        h.update(chunk)
    return "sha256:" + h.hexdigest()


def layer_media_type(spool):
    spool.seek(0)
    magic = spool.read(4)
    if magic[:2] == b"\x1f\x8b":
        return OCI_LAYER_GZIP
    if magic == b"\x28\xb5\x2f\xfd":
        raise BadArchive("zstd-compressed layer: not supported (Python's standard library has no zstd)")
    # A tar has no magic at offset 0; the ustar magic at 257 is checked loosely (empty layers
    # are 1024 zero bytes, which is also a valid tar).
    return OCI_LAYER_TAR


def read_image(path, spool_dir):
    """Validates one saved image; returns its config bytes, platform and spooled layers."""
    saved = SavedImage(path)
    _, manifest = saved.read_json("manifest.json", "docker save's")
    if not isinstance(manifest, list) or len(manifest) != 1 or not isinstance(manifest[0], dict):
        raise BadArchive("manifest.json must list exactly one image (docker save of one image)")
    entry = manifest[0]
    config_path, layer_paths = entry.get("Config"), entry.get("Layers")
    if not isinstance(config_path, str) or not isinstance(layer_paths, list) or \
            not all(isinstance(p, str) for p in layer_paths):
        raise BadArchive("manifest.json: Config must be a path and Layers a list of paths")
    if not 1 <= len(layer_paths) <= MAX_LAYERS:
        raise BadArchive("manifest.json: %d layers (1..%d)" % (len(layer_paths), MAX_LAYERS))

    config_bytes, config = saved.read_json(config_path, "config")
    config_digest = sha256_digest(config_bytes)
    # Legacy layout: <hex>.json; OCI-based layout: blobs/sha256/<hex>. Either way the name is
    # the content's digest, so a mismatch means a corrupt or doctored archive.
    named = re.search(r"(?:^|/)([0-9a-f]{64})(?:\.json)?$", config_path)
    if named and "sha256:" + named.group(1) != config_digest:
        raise BadArchive("config %s does not hash to its name (%s)" % (config_path, config_digest))
    if not isinstance(config, dict):
        raise BadArchive("config is not a JSON object")
    os_name, arch, variant = config.get("os"), config.get("architecture"), config.get("variant")
    if os_name != "linux" or arch not in KNOWN_ARCHITECTURES:
        raise BadArchive("config platform %s/%s: expected linux/%s" % (os_name, arch, "|".join(sorted(KNOWN_ARCHITECTURES))))
    if variant is not None and (not isinstance(variant, str) or not re.fullmatch(r"v[0-9]{1,2}", variant)):
        raise BadArchive("config variant %r" % (variant,))
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(rootfs, dict) or rootfs.get("type") != "layers" or not isinstance(diff_ids, list) or \
            not all(isinstance(d, str) and DIGEST_RE.match(d) for d in diff_ids):
        raise BadArchive("config rootfs: want type layers and sha256 diff_ids")
    if len(diff_ids) != len(layer_paths):
        raise BadArchive("config lists %d layers, manifest.json %d" % (len(diff_ids), len(layer_paths)))

    layers = []
    for i, (layer_path, want_diff_id) in enumerate(zip(layer_paths, diff_ids)):
        m = saved.member(layer_path, "layer %d" % i)
        if m.size > MAX_LAYER_BYTES:
            raise BadArchive("layer %s is %d bytes (limit %d)" % (m.name, m.size, MAX_LAYER_BYTES))
        spool = tempfile.NamedTemporaryFile(dir=spool_dir, delete=False)
        digest, size = saved.copy_member(m, spool)
        media_type = layer_media_type(spool)
        got_diff_id = digest if media_type == OCI_LAYER_TAR else diff_id_of(spool, media_type)
        if got_diff_id != want_diff_id:
            raise BadArchive("layer %s: content %s, config says %s" % (m.name, got_diff_id, want_diff_id))
        spool.close()
        layers.append({"mediaType": media_type, "digest": digest, "size": size, "file": spool.name})
    saved.tar.close()
    platform = {"architecture": arch, "os": os_name}
    if variant:
        platform["variant"] = variant
    return {"source": path, "config": config_bytes, "config_digest": config_digest,
            "platform": platform, "layers": layers}


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def write_layout(out_path, name, images):
    """The OCI image layout tar: index.json -> image index REF -> one manifest per platform."""
    blobs = {}  # digest -> bytes, or the spool file holding them

    def add_blob(data):
        digest = sha256_digest(data)
        blobs[digest] = data
        return {"digest": digest, "size": len(data)}

    platform_manifests = []
    for img in sorted(images, key=lambda i: (i["platform"]["architecture"], i["platform"].get("variant", ""))):
        blobs[img["config_digest"]] = img["config"]
        for layer in img["layers"]:
            blobs[layer["digest"]] = layer["file"]
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": img["config_digest"], "size": len(img["config"])},
            "layers": [{k: layer[k] for k in ("mediaType", "digest", "size")} for layer in img["layers"]],
        }
        desc = add_blob(canonical(manifest))
        platform_manifests.append(dict(mediaType=OCI_MANIFEST, platform=img["platform"], **desc))
    image_index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": platform_manifests}
    index_desc = add_blob(canonical(image_index))
    # The layout's entry point names the image index: containerd's importer creates one image
    # per named descriptor here, so the two manifests must sit behind one index (listing them
    # both here under the same name would leave whichever came last).
    top = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [dict(
        mediaType=OCI_INDEX, annotations={"io.containerd.image.name": name,
                                          "org.opencontainers.image.ref.name": name}, **index_desc)]}

    tmp = out_path + ".partial"
    try:
        write_tar(tmp, top, blobs)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    os.replace(tmp, out_path)
    return index_desc["digest"], platform_manifests


def write_tar(path, top, blobs):
    with tarfile.open(path, mode="w", format=tarfile.PAX_FORMAT) as t:
        def entry(arcname, size, kind=tarfile.REGTYPE):
            ti = tarfile.TarInfo(arcname)
            ti.type, ti.size, ti.mtime = kind, size, 0  # reproducible: same inputs, same bytes
            ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
            return ti
        layout = b'{"imageLayoutVersion":"1.0.0"}'
        t.addfile(entry("oci-layout", len(layout)), io.BytesIO(layout))
        top_bytes = canonical(top)
        t.addfile(entry("index.json", len(top_bytes)), io.BytesIO(top_bytes))
        t.addfile(entry("blobs", 0, tarfile.DIRTYPE))
        t.addfile(entry("blobs/sha256", 0, tarfile.DIRTYPE))
        for digest in sorted(blobs):
            content = blobs[digest]
            arcname = "blobs/sha256/" + digest[len("sha256:"):]
            if isinstance(content, bytes):
                t.addfile(entry(arcname, len(content)), io.BytesIO(content))
            else:
                with open(content, "rb") as f:
                    t.addfile(entry(arcname, os.fstat(f.fileno()).st_size), f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--name", required=True, help="image reference to store, e.g. docker.io/library/sockwarden:local")
    ap.add_argument("-o", "--output", required=True, help="OCI layout tar to write")
    ap.add_argument("saved", nargs="+", help="docker save archives, one image each, one per platform")
    args = ap.parse_args()
    if not REFERENCE_RE.fullmatch(args.name):
        ap.error("--name %r is not an image reference with a tag (registry/path/name:tag)" % args.name)
    spool_dir = tempfile.mkdtemp(prefix="sw-oci-index.", dir=os.path.dirname(os.path.abspath(args.output)))
    try:
        images = []
        for path in args.saved:
            try:
                images.append(read_image(path, spool_dir))
            except (BadArchive, tarfile.TarError, OSError, EOFError) as e:
                sys.exit("oci_image_index: %s: %s" % (path, e))
        seen = {}
        for img in images:
            key = json.dumps(img["platform"], sort_keys=True)
            if key in seen:
                sys.exit("oci_image_index: %s and %s are both %s/%s" % (seen[key], img["source"],
                         img["platform"]["os"], img["platform"]["architecture"]))
            seen[key] = img["source"]
        index_digest, manifests = write_layout(args.output, args.name, images)
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)
    for m in manifests:
        p = m["platform"]
        print("oci_image_index: %s/%s%s -> manifest %s" % (p["os"], p["architecture"],
              "/" + p["variant"] if "variant" in p else "", m["digest"]), file=sys.stderr)
    print("oci_image_index: %s = image index %s, written to %s" % (args.name, index_digest, args.output), file=sys.stderr)


if __name__ == "__main__":
    main()
