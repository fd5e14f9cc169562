#!/bin/bash
# None of these lines may produce a finding.
# docker run -v /var/run/docker.sock:/var/run/docker.sock alpine   (a comment)
echo "backing up /var/run/docker.sock.bak"
cp /var/run/docker.sock.bak /tmp/
docker run -v /runtime:/runtime alpine
docker run -v /var/run/docker.sock.bak:/x alpine
docker run -v data:/var/run/docker.sock alpine
docker run --mount type=volume,source=run,target=/run alpine
docker run --privileged=false --network=bridge --pid=container:abc alpine
docker run alpine docker-entrypoint --privileged -v /:/host
docker ps --filter volume=/var/run/docker.sock
dockerd -H unix:///var/run/docker.sock -H fd://
dockerd --tlsverify --tlscacert=ca.pem -H tcp://0.0.0.0:2376
export DOCKER_HOST=unix:///run/user/1000/docker.sock
grep -r "docker run --privileged" docs/
