// The caller the formatting tests start from (test_json_writer, test_ecs_json,
// test_event_schema): `docker ps`, thread 4243 of process 4242 (uid 1000, run
// from bash), writing `GET /_ping` to /run/docker.sock, seen by socket-tp.
// Each test then changes what it looks at.
#pragma once
#include <string>

#include "events.h"
#include "model/event.h"

namespace sockwarden::testing {

inline ProcessInfo docker_ps_process() {
  ProcessInfo p;
  p.executable = "/usr/bin/docker";
  p.command_line = "docker ps";
  p.args = {"docker", "ps"};
  p.name = "docker";
  p.ancestors = {{4000, "/usr/bin/bash", "bash"}};
  return p;
}

// The kernel's record and the event built from it, without process data (set e.process).
inline Event docker_caller_event(const std::string& action, EventKind kind = EventKind::Send) {
  Event e;
  RawEvent& r = e.raw;
  r.kind = kind;
  r.tier = SW_TIER_SOCKET_TP;
  r.pid = 4243;
  r.tgid = 4242;
  r.ppid = 1;
  r.uid = r.euid = 1000;
  r.gid = 998;
  r.cgroup_id = 12345;
  r.pidns = 4026531836u;
  r.mntns = 4026531841u;
  r.netns = 4026531840u;
  r.fd = 7;
  r.sock_ino = 987654;
  r.sock_dev = (253u << 20) | 1u;  // the kernel's MKDEV: 253:1
  r.client_sock_ino = 555666;
  r.comm = "docker";
  r.payload = "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n";
  r.bytes = r.payload.size();
  e.action = action;
  e.outcome = "success";
  e.realtime_ns = 1'795'380'397'123'456'789ULL;  // 2026-11-22T20:46:37.123456789Z
  e.cgroup_path = "/user.slice/user-1000.slice/session-2.scope";
  e.socket_path = "/run/docker.sock";
  e.tier = "socket-tp";
  return e;
}

}  // namespace sockwarden::testing
