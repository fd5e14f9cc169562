#!/usr/bin/env python3
"""The attacker of test_dockerd_effects.sh: talks to the Docker API over its unix socket with
bodies built to defeat a monitor that reads the caller's bytes (risky fields behind >= 16 KiB of
JSON whitespace, in one write or dribbled, chunked, keys in another case, an exec whose command
is hidden the same way). Prints one JSON line with its pid and what the daemon answered, so the
checker can find the events of exactly this process.

usage: effects_client.py SOCKET TARGET_CONTAINER [--podman]

--podman: podman's compat API. podman writes runc's OCI spec when a container first starts, so
each create is followed by a start, as `docker run` does, but one (eff-created, whose spec is then
only in podman's database); the image
is localhost/busybox:1 and the rlimits this sandbox allows are set (see podman.sh). Then the same
through podman's own libpod API (/v4.0.0/libpod/...): a create whose SpecGenerator fields
(privileged, a bind mount of /) sit behind the padding, and an exec hidden the same way."""
import json
import socket
import sys
import time

SOCK, TARGET = sys.argv[1], sys.argv[2]
PODMAN = "--podman" in sys.argv[3:]
PAD = " " * 16384  # JSON whitespace: the daemon skips it, a capped capture does not get past it
RISKY = {"Privileged": True, "Binds": ["/:/host"]}
IMAGE = "localhost/busybox:1" if PODMAN else "local/busybox:1"
if PODMAN:
    RISKY["Ulimits"] = [{"Name": "nofile", "Soft": 1024, "Hard": 1024}, {"Name": "nproc", "Soft": 1024, "Hard": 1024}]


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
base = {"Image": IMAGE, "Cmd": ["sleep", "5"] if PODMAN else ["true"]}


def started(case, st, r):
    out["cases"][case] = {"status": st, "id": (r or {}).get("Id")}
    if PODMAN and st == 201:
        out["cases"][case]["start"] = request("POST", f"/v1.41/containers/{r['Id']}/start")[0]

if PODMAN:
    # Created and never started: podman keeps this container's spec only in its database
    # (<graph root>/libpod/bolt_state.db) until a start writes runc's config.json. First, and
    # seconds before the libpod create below, which names its container only in its (unread)
    # body and so is tied by creation time to the one container made right after it.
    st, r = request("POST", "/v1.41/containers/create?name=eff-created", padded(base))
    out["cases"]["created_only"] = {"status": st, "id": (r or {}).get("Id")}

st, r = request("POST", "/v1.41/containers/create?name=eff-onewrite", padded(base))
started("onewrite", st, r)

st, r = request("POST", "/v1.41/containers/create?name=eff-dribble", padded(base), writes=512)
started("dribble", st, r)

st, r = request("POST", "/v1.41/containers/create?name=eff-chunked", padded(base), chunked=True)
started("chunked", st, r)

lower_hc = {"privileged": True, "binds": ["/:/host"]}
if PODMAN:
    lower_hc["ulimits"] = RISKY["Ulimits"]
lower = json.dumps({"image": IMAGE, "cmd": base["Cmd"], "hostconfig": lower_hc}).encode()
st, r = request("POST", "/v1.41/containers/create?name=eff-lowercase", lower)
started("lowercase", st, r)

# exec: the command only after the padding; create and start on one connection each, as the CLI does.
cmd = ["/bin/sh", "-c", "echo hidden-exec-marker; sleep 2"]
st, r = request("POST", f"/v1.41/containers/{TARGET}/exec",
                ("{" + PAD + '"AttachStdout":false,"Cmd":' + json.dumps(cmd) + "}").encode())
exec_id = (r or {}).get("Id")
out["cases"]["exec_create"] = {"status": st, "id": exec_id}
st2, _ = request("POST", f"/v1.41/exec/{exec_id}/start", b'{"Detach":true,"Tty":false}')
out["cases"]["exec_start"] = {"status": st2, "id": exec_id, "command": cmd}

if PODMAN:
    # libpod's SpecGenerator: lowercase keys at the top level, mounts as OCI mounts, rlimits as
    # OCI POSIX rlimits. The risky fields follow 16 KiB of whitespace, in one write.
    spec = {"image": IMAGE, "command": ["sleep", "5"], "name": "eff-libpod",
            "r_limits": [{"type": "nofile", "soft": 1024, "hard": 1024},
                         {"type": "nproc", "soft": 1024, "hard": 1024}]}
    risky = {"privileged": True, "mounts": [{"destination": "/host", "source": "/", "type": "bind",
                                               "options": ["rbind"]}]}
    body = ("{" + PAD + json.dumps(spec)[1:-1] + "," + json.dumps(risky)[1:-1] + "}").encode()
    st, r = request("POST", "/v4.0.0/libpod/containers/create", body)
    out["cases"]["libpod_create"] = {"status": st, "id": (r or {}).get("Id") if isinstance(r, dict) else None}
    if st == 201:
        sst, srep = request("POST", f"/v4.0.0/libpod/containers/{r['Id']}/start")
        out["cases"]["libpod_create"]["start"] = sst
        if sst >= 300:
            out["cases"]["libpod_create"]["start_error"] = str(srep)[:500]
    lcmd = ["/bin/sh", "-c", "echo hidden-libpod-exec-marker; sleep 2"]
    st, r = request("POST", f"/v4.0.0/libpod/containers/{TARGET}/exec",
                    ("{" + PAD + '"AttachStdout":false,"Cmd":' + json.dumps(lcmd) + "}").encode())
    lexec = (r or {}).get("Id") if isinstance(r, dict) else None
    out["cases"]["libpod_exec_create"] = {"status": st, "id": lexec}
    st2, _ = request("POST", f"/v4.0.0/libpod/exec/{lexec}/start", b'{"Detach":true,"Tty":false}')
    out["cases"]["libpod_exec_start"] = {"status": st2, "id": lexec, "command": lcmd}
print(json.dumps(out), flush=True)
