#!/usr/bin/env python3
"""The attacker of test_dockerd_effects.sh: talks to the Docker API over its unix socket with
bodies built to defeat a monitor that reads the caller's bytes (risky fields behind >= 16 KiB of
JSON whitespace, in one write or dribbled, chunked, keys in another case, an exec whose command
is hidden the same way). Prints one JSON line with its pid and what the daemon answered, so the
checker can find the events of exactly this process.

usage: effects_client.py SOCKET TARGET_CONTAINER"""
import json
import socket
import sys
import time

SOCK, TARGET = sys.argv[1], sys.argv[2]
PAD = " " * 16384  # JSON whitespace: the daemon skips it, a capped capture does not get past it
RISKY = {"Privileged": True, "Binds": ["/:/host"]}


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    return s


def read_reply(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, body


def request(method, path, body=b"", writes=None, chunked=False):
    """One request on a new connection. writes: split the whole request into writes of that size."""
    s = connect()
    head = f"{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n\r\n"
        wire = b""
        for i in range(0, len(body), 1000):
            part = body[i:i + 1000]
            wire += f"{len(part):x}\r\n".encode() + part + b"\r\n"
        data = head.encode() + wire + b"0\r\n\r\n"
    else:
        head += f"Content-Length: {len(body)}\r\n\r\n"
        data = head.encode() + body
    if writes:
        for i in range(0, len(data), writes):
            s.send(data[i:i + writes])
            time.sleep(0.002)
    else:
        s.sendall(data)
    status, reply = read_reply(s)
    s.close()
    try:
        return status, json.loads(reply) if reply.strip() else None
    except ValueError:
        return status, reply.decode(errors="replace")


def padded(obj_prefix, risky_key="HostConfig", risky=RISKY):
    # {<PAD>"Image":..., "Cmd":..., "HostConfig":{...}}: the risky fields come after the padding.
    return ("{" + PAD + json.dumps(obj_prefix)[1:-1] + "," + json.dumps(risky_key) + ":" + json.dumps(risky) +
            "}").encode()


out = {"pid": __import__("os").getpid(), "cases": {}}
base = {"Image": "local/busybox:1", "Cmd": ["true"]}

st, r = request("POST", "/v1.41/containers/create?name=eff-onewrite", padded(base))
out["cases"]["onewrite"] = {"status": st, "id": (r or {}).get("Id")}

st, r = request("POST", "/v1.41/containers/create?name=eff-dribble", padded(base), writes=512)
out["cases"]["dribble"] = {"status": st, "id": (r or {}).get("Id")}

st, r = request("POST", "/v1.41/containers/create?name=eff-chunked", padded(base), chunked=True)
out["cases"]["chunked"] = {"status": st, "id": (r or {}).get("Id")}

lower = json.dumps({"image": "local/busybox:1", "cmd": ["true"],
                    "hostconfig": {"privileged": True, "binds": ["/:/host"]}}).encode()
st, r = request("POST", "/v1.41/containers/create?name=eff-lowercase", lower)
out["cases"]["lowercase"] = {"status": st, "id": (r or {}).get("Id")}

# exec: the command only after the padding; create and start on one connection each, as the CLI does.
cmd = ["/bin/sh", "-c", "echo hidden-exec-marker; sleep 2"]
st, r = request("POST", f"/v1.41/containers/{TARGET}/exec",
                ("{" + PAD + '"AttachStdout":false,"Cmd":' + json.dumps(cmd) + "}").encode())
exec_id = (r or {}).get("Id")
out["cases"]["exec_create"] = {"status": st, "id": exec_id}
st2, _ = request("POST", f"/v1.41/exec/{exec_id}/start", b'{"Detach":true,"Tty":false}')
out["cases"]["exec_start"] = {"status": st2, "id": exec_id, "command": cmd}
print(json.dumps(out), flush=True)
