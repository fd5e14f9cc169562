#!/usr/bin/python3
"""A containerd API client that hides what it asks for (tests/e2e/test_containerd_effects.sh).

    containerd_client.py SOCKET NAMESPACE SPEC_JSON ID

Creates container ID in NAMESPACE through containerd's own gRPC API (Containers/Create,
then Tasks/Create and Tasks/Start, as `ctr run -d` does) with the OCI spec read from
SPEC_JSON, but with 16 KiB of JSON whitespace before the spec's first key inside the
protobuf Any: the agent's payload cap (4 KiB) sees none of it, so only the task's bundle
(ground truth the caller cannot shape) tells what runs. Then it execs `/bin/sh -c 'sleep 1'`
in the running task (Tasks/Exec, then Tasks/Start of the exec, as `ctr task exec` does) with
the spec's own privileged process, hidden the same way: only the kernel's exec record of the
process runc started tells what ran. It waits for the exec to end and deletes it.
Prints {"pid": ..., "id": ..., "exec_id": ..., "exec_command": [...]}.

Runs under Debian's python3 (python3-grpcio): the messages are encoded here by hand,
field numbers from containerd's api/services/{containers,tasks}/v1/*.proto.
"""
import json
import os
import sys

import grpc

EXEC_ID = "exec-hidden"
EXEC_COMMAND = ["/bin/sh", "-c", "sleep 1"]


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def main():
    sock, ns, spec_path, cid = sys.argv[1:5]
    spec = json.load(open(spec_path))
    # The spec is the caller's: it names its own cgroup (ctr uses /<namespace>/<id>).
    spec.setdefault("linux", {})["cgroupsPath"] = f"/{ns}/{cid}"
    value = b" " * 16384 + json.dumps(spec).encode()
    any_spec = field(1, "types.containerd.io/opencontainers/runtime-spec/1/Spec") + field(2, value)
    container = field(1, cid) + field(4, field(1, "io.containerd.runc.v2")) + field(5, any_spec)
    md = [("containerd-namespace", ns)]
    with grpc.insecure_channel("unix://" + sock) as ch:
        def call(method, msg):
            return ch.unary_unary(method)(msg, metadata=md, timeout=30)

        call("/containerd.services.containers.v1.Containers/Create", field(1, container))
        # No rootfs mounts: the spec's root.path is an absolute directory (ctr run --rootfs);
        # no stdio (ctr run -d with null IO).
        call("/containerd.services.tasks.v1.Tasks/Create", field(1, cid))
        call("/containerd.services.tasks.v1.Tasks/Start", field(1, cid))

        # ExecProcessRequest {container_id = 1; stdin = 2; stdout = 3; stderr = 4; terminal = 5;
        # google.protobuf.Any spec = 6; exec_id = 7;}: the privileged container's own process
        # (every capability) running another command, its JSON behind 16 KiB of whitespace, so
        # the capture's 4 KiB see neither the process nor the exec id after it. No stdio.
        process = dict(spec["process"], args=EXEC_COMMAND, terminal=False)
        any_process = field(1, "types.containerd.io/opencontainers/runtime-spec/1/Process") + \
            field(2, b" " * 16384 + json.dumps(process).encode())
        call("/containerd.services.tasks.v1.Tasks/Exec", field(1, cid) + field(6, any_process) + field(7, EXEC_ID))
        # StartRequest {container_id = 1; exec_id = 2;}: runc runs the process now.
        call("/containerd.services.tasks.v1.Tasks/Start", field(1, cid) + field(2, EXEC_ID))
        # WaitRequest and DeleteProcessRequest {container_id = 1; exec_id = 2;}: leave nothing behind.
        call("/containerd.services.tasks.v1.Tasks/Wait", field(1, cid) + field(2, EXEC_ID))
        call("/containerd.services.tasks.v1.Tasks/DeleteProcess", field(1, cid) + field(2, EXEC_ID))
    print(json.dumps({"pid": os.getpid(), "id": cid, "padding": 16384, "exec_id": EXEC_ID,
                      "exec_command": EXEC_COMMAND}))


if __name__ == "__main__":
    main()
