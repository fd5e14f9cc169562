// The direct JSON writer (output/fast_json.cpp) must produce exactly the bytes
// of the nlohmann tree (to_ecs_json(e).dump()), for every shape a socket event
// can take: every optional member present and absent, containers with and
// without pods and parents, odd bytes in every string.
#include "format/fast_json.h"

#include <gtest/gtest.h>

#include <string>

#include "events.h"
#include "format/ecs_json.h"

namespace sockwarden {
namespace {

std::string tree_line(const Event& e) {
  return to_ecs_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Event base_event(const char* action) {
  Event e;
  RawEvent& r = e.raw;
  r.kind = EventKind::Send;
  r.tier = SW_TIER_SOCKET_TP;
  r.pid = 4243;
  r.tgid = 4242;
  r.ppid = 1;
  r.uid = 1000;
  r.euid = 0;
  r.gid = 998;
  r.cgroup_id = 12345;
  r.pidns = 4026531836u;
  r.mntns = 4026531841u;
  r.netns = 4026531840u;
  r.fd = 7;
  r.sock_ino = 987654;
  r.sock_dev = (253u << 20) | 1u;
  r.client_sock_ino = 555666;
  r.bytes = 40;
  r.comm = "docker";
  r.payload = "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n";
  e.action = action;
  e.outcome = "success";
  e.realtime_ns = 1'795'380'397'123'456'789ULL;
  e.cgroup_path = "/user.slice/user-1000.slice/session-2.scope";
  e.socket_path = "/run/docker.sock";
  e.tier = "socket-tp";
  return e;
}

void expect_same(const Event& e, const std::string& what) {
  std::string fast;
  ASSERT_TRUE(write_socket_event_json(e, fast)) << what;
  EXPECT_EQ(fast, tree_line(e)) << what;
  EXPECT_EQ(to_json_line(e), tree_line(e)) << what;
}

TEST(FastJson, MatchesTheTreeForEveryActionAndOptionalMember) {
  for (const char* action : {"connect", "send", "reply", "existing-connection"}) {
    Event bare = base_event(action);
    expect_same(bare, std::string(action) + " bare");

    Event full = base_event(action);
    full.raw.flags = SW_F_TRUNCATED | SW_F_FD_UNKNOWN | SW_F_RESULT_KNOWN | SW_F_ABSTRACT | SW_F_DENIED;
    full.raw.result = -13;
    full.raw.fd = -1;
    full.outcome = "failure";
    full.error = "EACCES";
    full.expected_by = "rule 3: /usr/bin/dockerd";
    full.flags = {"unexpected-caller", "redacted", "truncated"};
    full.process.executable = "/usr/bin/docker";
    full.process.command_line = "docker ps -a";
    full.process.args = {"docker", "ps", "-a"};
    full.process.name = "docker";
    full.process.loginuid = 1000;
    full.process.sessionid = 3;
    full.process.start_realtime_ns = 1'700'000'000'000'000'000ULL;
    full.process.ancestors = {{4000, "/usr/bin/bash", "bash"}, {1, "", "systemd"}, {0, "", ""}};
    expect_same(full, std::string(action) + " full");

    Event no_payload = base_event(action);
    no_payload.raw.payload.clear();
    no_payload.outcome.clear();
    no_payload.process.ancestors = {{77, "", "sh"}};  // a parent without an executable
    expect_same(no_payload, std::string(action) + " no payload");

    Event name_only_parent = base_event(action);
    name_only_parent.process.ancestors = {{77, "/bin/sh", ""}};
    expect_same(name_only_parent, std::string(action) + " parent without a name");
  }
}

TEST(FastJson, EscapesLikeTheTree) {
  Event e = base_event("send");
  std::string all_bytes;
  for (int c = 0; c < 256; c++) all_bytes.push_back(static_cast<char>(c));
  e.raw.payload = all_bytes;
  e.raw.comm = std::string("a\"b\\c\x01\x7f", 7);
  e.process.args = {"quote\"", "back\\slash", "tab\tnl\ncr\rbs\bff\f", std::string("nul\x00x", 5), "\x1f"};
  e.process.command_line = "x\x7fy";
  e.socket_path = "/run/caf\xc3\xa9.sock";              // valid UTF-8
  e.cgroup_path = "/bad\xff\xfe/utf8\xc3";                // invalid: U+FFFD like the tree
  e.process.executable = "/opt/\xe2\x82\xac/bin";         // valid 3-byte sequence
  e.process.ancestors = {{9, "/x\xf0\x9f\x98\x80", "emoji\xf0"}};
  expect_same(e, "odd bytes");
}

TEST(FastJson, ContainersWithPodsAndParents) {
  Event e = base_event("connect");
  ContainerInfo c;
  c.ref.runtime = "containerd";
  c.ref.id = std::string(64, 'a');
  c.name = "web";
  c.image = "nginx:1.25";
  c.pod_name = "web-0";
  c.pod_namespace = "default";
  c.pod_uid = "1234-5678";
  e.container = c;
  expect_same(e, "pod container");

  ContainerRef parent;
  parent.runtime = "docker";
  parent.id = std::string(64, 'b');
  e.container->ref.parents = {parent};
  expect_same(e, "nested container");

  ContainerInfo bare;
  bare.ref.runtime = "docker";
  bare.ref.id = std::string(64, 'c');
  e.container = bare;
  expect_same(e, "container without metadata");

  e.container = ContainerInfo{};  // no id: no container fields at all
  expect_same(e, "empty container");
}

TEST(FastJson, LeavesOtherEventsToTheTree) {
  std::string out;
  Event lost;
  lost.action = "lost";
  EXPECT_FALSE(write_socket_event_json(lost, out));
  Event req = base_event("request");
  EXPECT_FALSE(write_socket_event_json(req, out));
  Event send_with_request = base_event("send");
  send_with_request.request = DecodedRequest{};
  EXPECT_FALSE(write_socket_event_json(send_with_request, out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace sockwarden
