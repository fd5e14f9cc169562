#!/bin/sh
# Starts the monitoring agent the old way (every flag here is a finding).
set -eu

docker run -d --name agent \
  --privileged \
  -v /var/run/docker.sock:/var/run/docker.sock:ro \
  --volume=/run/containerd/containerd.sock.ttrpc:/ttrpc \
  --mount type=bind,source=/run/user/1000/podman/podman.sock,target=/podman.sock \
  --pid=host --net host \
  --cap-add SYS_ADMIN --cap-add=BPF \
  example/agent:1.0 --verbose -v

sudo podman run --rm --ipc=host --network=host \
    --mount type=bind,src=/var/run,dst=/host-run quay.io/x/y

docker create --cap-add=ALL -v "$XDG_RUNTIME_DIR/docker.sock:/sock" alpine

DOCKER_HOST=tcp://10.0.0.5:2375 docker ps
docker -H tcp://10.0.0.5:2375 ps

dockerd -H unix:///var/run/docker.sock \
  -H tcp://0.0.0.0:2375 &

sh -c "docker run -v /var/run/docker.sock:/var/run/docker.sock alpine"
# sockwarden-lint: allow SW-LINT-001 the CI cleanup job, reviewed in SEC-42
docker run --rm \
  -v /var/run/docker.sock:/var/run/docker.sock \
  docker:cli system prune -f
docker run -v /var/run/docker.sock:/s alpine # sockwarden-lint: allow SW-LINT-001
podman system service --time=0 tcp://0.0.0.0:8888 &
buildkitd --addr unix:///run/buildkit/buildkitd.sock --addr tcp://0.0.0.0:1234 &
buildkitd --addr tcp://0.0.0.0:1235 --tlscacert /etc/buildkit/ca.pem --tlscert c.pem --tlskey k.pem &
