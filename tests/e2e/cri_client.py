#!/usr/bin/python3
"""A CRI client (runtime.v1) that hides what it asks for (tests/e2e/test_cri_effects.sh).

    cri_client.py SOCKET IMAGE POD     -> JSON {"pid", "sandbox_id", "containers": {name: id}}
    cri_client.py SOCKET --remove POD_SANDBOX_ID

Runs pod POD (host network, privileged sandbox: no CNI here) and in it two containers, each
created then started as kubelet does:
  - "priv": privileged, mounting / at /host, with 16 KiB of labels encoded before its mounts and
    security context, so the agent's 4 KiB payload cap sees neither: only the bundle the CRI
    plugin writes at StartContainer tells what runs;
  - "plain": nothing risky (no false alarm expected).
Debian's python3 (python3-grpcio); messages encoded by hand, field numbers from
k8s.io/cri-api pkg/apis/runtime/v1/api.proto.
"""
import json
import os
import sys

import grpc

NODE = 2  # NamespaceMode NODE: the host's namespace


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def vfield(num, v):
    return varint(num << 3) + varint(v)


def read_varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if not c & 0x80:
            return v, i


def first_string(msg, num):
    i = 0
    while i < len(msg):
        key, i = read_varint(msg, i)
        if key & 7 == 2:
            n, i = read_varint(msg, i)
            if key >> 3 == num:
                return msg[i:i + n].decode()
            i += n
        elif key & 7 == 0:
            _, i = read_varint(msg, i)
        else:
            raise ValueError("unexpected wire type")
    return ""


def main():
    sock = sys.argv[1]
    with grpc.insecure_channel("unix://" + sock) as ch:
        def call(method, msg):
            return ch.unary_unary("/runtime.v1.RuntimeService/" + method)(msg, timeout=60)

        if sys.argv[2] == "--pull":
            # kubelet's pull: ImageService/PullImage{image: ImageSpec{image}} -> {image_ref}
            pull = ch.unary_unary("/runtime.v1.ImageService/PullImage")
            ref = first_string(pull(field(1, field(1, sys.argv[3])), timeout=60), 1)
            print(json.dumps({"pid": os.getpid(), "image": sys.argv[3], "image_ref": ref}))
            return
        if sys.argv[2] == "--remove":
            call("StopPodSandbox", field(1, sys.argv[3]))
            call("RemovePodSandbox", field(1, sys.argv[3]))
            return
        image, pod = sys.argv[2], sys.argv[3]
        # No hostname: the host's UTS namespace comes with the host network.
        sandbox_sc = field(1, vfield(1, NODE)) + vfield(6, 1)  # namespace_options{network}, privileged
        sandbox = field(1, field(1, pod) + field(2, pod + "-uid") + field(3, "default")) + field(8, field(2, sandbox_sc))
        sid = first_string(call("RunPodSandbox", field(1, sandbox)), 1)
        ids = {}
        for name, risky in (("priv", True), ("plain", False)):
            cfg = field(1, field(1, name)) + field(2, field(1, image))
            if risky:
                # 16 KiB of labels before what matters (containerd caps one label at 4 KiB)
                cfg += b"".join(field(9, field(1, f"pad{i}") + field(2, "x" * 3500)) for i in range(5))
                cfg += field(7, field(1, "/host") + field(2, "/"))          # mounts: / at /host
                cfg += field(15, field(2, vfield(2, 1)))                   # linux.security_context.privileged
            cid = first_string(call("CreateContainer", field(1, sid) + field(2, cfg) + field(3, sandbox)), 1)
            call("StartContainer", field(1, cid))
            ids[name] = cid
        # kubelet's exec (ExecSync: container_id=1, cmd=2, timeout=3) into the privileged
        # container: the CRI plugin picks the exec id, runc runs it through the same shim.
        cmd = ["/bin/sh", "-c", "echo cri-exec-marker; sleep 1"]  # alive long enough for its CapEff to be read
        reply = call("ExecSync", field(1, ids["priv"]) + b"".join(field(2, c) for c in cmd) + vfield(3, 10))
        exec_sync = {"command": cmd, "stdout": first_string(reply, 1)}
    print(json.dumps({"pid": os.getpid(), "sandbox_id": sid, "containers": ids, "exec_sync": exec_sync}))


if __name__ == "__main__":
    main()
