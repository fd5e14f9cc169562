"""The registry v2 API calls a push makes (push_oci.py, push_plugin.py): blob uploads, then the
manifest, over plain HTTP to the test-private registry (registry.sh). Any error ends the script."""
import http.client
import sys


class Registry:
    def __init__(self, hostport, who):
        self.hostport, self.who = hostport, who

    def call(self, method, path, body=b"", headers=None):
        c = http.client.HTTPConnection(self.hostport, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit(f"{self.who}: {method} {path}: {r.status} {data[:200]!r}")
        return r

    def push_blob(self, repo, digest, blob):
        loc = self.call("POST", f"/v2/{repo}/blobs/uploads/").getheader("Location")
        path = loc.split(self.hostport, 1)[-1] if loc.startswith("http") else loc
        self.call("PUT", f"{path}{'&' if '?' in path else '?'}digest={digest}", blob,
                  {"Content-Type": "application/octet-stream"})

    def push_manifest(self, repo, tag, manifest, media_type):
        self.call("PUT", f"/v2/{repo}/manifests/{tag}", manifest, {"Content-Type": media_type})
