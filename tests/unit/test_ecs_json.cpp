#include "format/ecs_json.h"

#include "enrich/event_builder.h"

#include <gtest/gtest.h>

#include <string>

#include "event_fixtures.h"
#include "events.h"
#include "model/flag_names.h"

namespace sockwarden {
namespace {

using nlohmann::json;

Event send_event() {
  Event e = testing::docker_caller_event("send");
  e.raw.flags = SW_F_TRUNCATED | SW_F_FD_UNKNOWN;
  e.raw.euid = 0;
  e.raw.bytes = 9000;
  e.raw.payload = std::string("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n\x00\xff\xc3", 40);
  ProcessInfo p = testing::docker_ps_process();
  p.loginuid = 1000;
  p.sessionid = 3;
  p.start_realtime_ns = 1'700'000'000'000'000'000ULL;
  p.ancestors = {{4000, "/usr/bin/bash", "bash"}, {1, "/sbin/init", "systemd"}};
  e.process = p;
  return e;
}

TEST(EcsJson, SendEventHasEveryField) {
  Event e = send_event();
  json j = to_ecs_json(e);
  EXPECT_EQ(j["@timestamp"], "2026-11-22T20:46:37.123456789Z");
  EXPECT_EQ(j["ecs"]["version"], "8.11.0");

  const json& ev = j["event"];
  EXPECT_EQ(ev["kind"], "event");
  EXPECT_EQ(ev["category"], json::array({"network", "process"}));
  EXPECT_EQ(ev["type"], json::array({"access"}));
  EXPECT_EQ(ev["action"], "send");
  EXPECT_EQ(ev["outcome"], "success");
  EXPECT_EQ(ev["module"], "sockwarden");
  EXPECT_EQ(ev["dataset"], "sockwarden.socket");

  const json& p = j["process"];
  EXPECT_EQ(p["pid"], 4242);
  EXPECT_EQ(p["thread"]["id"], 4243);
  EXPECT_EQ(p["name"], "docker");
  EXPECT_EQ(p["executable"], "/usr/bin/docker");
  EXPECT_EQ(p["command_line"], "docker ps");
  EXPECT_EQ(p["parent"]["pid"], 1);

  EXPECT_EQ(j["user"]["id"], "1000");  // ECS ids are strings
  EXPECT_EQ(j["group"]["id"], "998");

  const json& sw = j["sockwarden"];
  EXPECT_EQ(sw["socket"]["path"], "/run/docker.sock");
  EXPECT_EQ(sw["socket"]["inode"], 987654);
  EXPECT_EQ(sw["socket"]["device"], "253:1");
  EXPECT_EQ(sw["socket"]["abstract"], false);
  EXPECT_EQ(sw["cgroup"]["id"], 12345);
  EXPECT_EQ(sw["cgroup"]["path"], "/user.slice/user-1000.slice/session-2.scope");
  EXPECT_EQ(sw["namespaces"]["pid"], 4026531836u);
  EXPECT_EQ(sw["namespaces"]["mnt"], 4026531841u);
  EXPECT_EQ(sw["namespaces"]["net"], 4026531840u);
  EXPECT_EQ(sw["tier"], "socket-tp");
  EXPECT_EQ(sw["fd"], 7);
  EXPECT_EQ(sw["connection"], 555666);
  EXPECT_EQ(sw["bytes"], 9000);
  EXPECT_EQ(sw["payload"], "GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n\\x00\\xff\\xc3");
  EXPECT_EQ(sw["payload_captured"], 40);
  EXPECT_EQ(sw["flags"], json::array({"truncated", "fd-unknown"}));
  EXPECT_FALSE(sw.contains("result"));  // SW_F_RESULT_KNOWN not set
  EXPECT_FALSE(sw.contains("error"));
  EXPECT_FALSE(j.contains("lost"));
}

// The process's args, command line and ancestors are rendered once and kept beside the shared
// data (ProcessInfo::json): every event of the process reads the same, and data changed through
// edit() (in place when not shared, a copy when shared) is rendered again, never the old text.
TEST(EcsJson, SharedProcessJsonIsReusedAndRenderedAgainAfterAnEdit) {
  Event first = send_event();
  Event second = send_event();
  second.process = first.process;  // one ProcessInfo, as the event builder shares it
  second.raw.pid = 4244;
  const std::string a = to_json_line(first);
  ASSERT_NE(first.process->json.get(), nullptr) << "rendered by the first event written";
  const json b = to_ecs_json(second);
  EXPECT_EQ(b["process"]["args"], json::array({"docker", "ps"}));
  EXPECT_EQ(b["process"]["thread"]["id"], 4244) << "per-event fields are not cached";
  EXPECT_EQ(json::parse(a)["sockwarden"]["process"], b["sockwarden"]["process"]);
  EXPECT_EQ(b["sockwarden"]["process"]["audit_login_uid"], 1000);

  // Shared: edit() copies, and the copy renders its own data.
  second.process.edit().args = {"docker", "run", "--privileged"};
  second.process.edit().ancestors.push_back({77, "/usr/bin/sudo", "sudo"});
  const json c = to_ecs_json(second);
  EXPECT_EQ(c["process"]["args"], json::array({"docker", "run", "--privileged"}));
  EXPECT_EQ(c["sockwarden"]["process"]["ancestors"].size(), 3u);
  EXPECT_EQ(to_ecs_json(first)["process"]["args"], json::array({"docker", "ps"})) << "the first keeps its own";

  // Not shared: edit() changes it in place and drops what was rendered.
  const std::string before = to_json_line(second);
  second.process.edit().command_line = "docker run --privileged -v /:/host";
  second.process.edit().args.clear();
  const json d = to_ecs_json(second);
  EXPECT_EQ(d["process"]["command_line"], "docker run --privileged -v /:/host");
  EXPECT_FALSE(d["process"].contains("args"));
  EXPECT_NE(before, to_json_line(second));
}

TEST(EcsJson, ConnectFailureWithError) {
  Event e = send_event();
  e.raw.kind = EventKind::ConnectAttempt;
  e.raw.tier = SW_TIER_SYSCALL_TP;
  e.raw.flags = SW_F_RESULT_KNOWN | SW_F_FD_UNKNOWN;
  e.raw.result = -13;
  e.raw.fd = -1;
  e.raw.bytes = 0;
  e.raw.payload.clear();
  e.raw.sock_dev = (8u << 20) | 0x12345u;
  e.action = "connect";
  e.outcome = "failure";
  e.error = "EACCES";
  e.tier = "syscall-tp";
  e.process.edit().executable.clear();
  e.process.edit().command_line.clear();
  e.cgroup_path.clear();

  json j = to_ecs_json(e);
  EXPECT_EQ(j["event"]["type"], json::array({"connection"}));
  EXPECT_EQ(j["event"]["action"], "connect");
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_FALSE(j["process"].contains("executable"));
  EXPECT_FALSE(j["process"].contains("command_line"));
  EXPECT_EQ(j["process"]["name"], "docker");

  const json& sw = j["sockwarden"];
  EXPECT_TRUE(sw["fd"].is_null());
  EXPECT_EQ(sw["result"], -13);
  EXPECT_EQ(sw["error"], "EACCES");
  EXPECT_EQ(sw["tier"], "syscall-tp");
  EXPECT_EQ(sw["socket"]["device"], "8:74565");
  EXPECT_FALSE(sw.contains("payload"));  // connect without bytes
  EXPECT_EQ(sw["payload_captured"], 0);
  EXPECT_EQ(sw["cgroup"]["path"], "");  // key kept even when unknown
  EXPECT_EQ(sw["flags"], json::array({"fd-unknown"}));  // RESULT_KNOWN is not a user flag
}

TEST(EcsJson, ConnectAttemptKeepsNonEmptyPayload) {
  Event e = send_event();
  e.action = "connect";
  e.raw.payload = "/run/docker.sock";
  EXPECT_EQ(to_ecs_json(e)["sockwarden"]["payload"], "/run/docker.sock");
}

TEST(EcsJson, AbstractSocketAndReply) {
  Event e = send_event();
  e.action = "reply";
  e.raw.flags = SW_F_ABSTRACT;
  e.raw.sock_ino = 0;
  e.socket_path = "@containerd-shim";
  e.raw.payload.clear();
  json j = to_ecs_json(e);
  EXPECT_EQ(j["event"]["type"], json::array({"access"}));
  EXPECT_EQ(j["sockwarden"]["socket"]["abstract"], true);
  EXPECT_EQ(j["sockwarden"]["socket"]["path"], "@containerd-shim");
  EXPECT_EQ(j["sockwarden"]["flags"], json::array({"abstract-socket"}));
  EXPECT_EQ(j["sockwarden"]["payload"], "");  // only connects omit an empty payload
}

TEST(EcsJson, ExtraFlagsFromLaterStagesAreMergedWithoutDuplicates) {
  Event e = send_event();
  e.flags = {"truncated", "unexpected-caller"};
  EXPECT_EQ(to_ecs_json(e)["sockwarden"]["flags"], json::array({"truncated", "fd-unknown", "unexpected-caller"}));
}

TEST(EcsJson, DeniedConnectIsADeniedConnection) {
  Event e = send_event();
  e.action = "connect";
  e.outcome = "failure";
  e.error = "EPERM";
  e.raw.flags |= SW_F_DENIED | SW_F_RESULT_KNOWN;
  auto j = to_ecs_json(e);
  EXPECT_EQ(j["event"]["type"], nlohmann::json::array({"connection", "denied"}));
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["sockwarden"]["error"], "EPERM");
}

TEST(EcsJson, EnforcementGapIsAnAlert) {
  Event e = EventBuilder::enforcement_gap(4242, 1'700'000'000'000'000'000ull, 1'700'000'060'000'000'000ull);
  auto j = to_ecs_json(e);
  EXPECT_EQ(j["event"]["action"], "enforcement-gap");
  EXPECT_EQ(j["event"]["kind"], "alert");
  EXPECT_EQ(j["event"]["start"], "2023-11-14T22:13:20.000000000Z");
  EXPECT_EQ(j["event"]["end"], "2023-11-14T22:14:20.000000000Z");
  EXPECT_EQ(j["sockwarden"]["enforcement_gap"]["previous_agent_pid"], 4242);
  EXPECT_NE(j["message"].get<std::string>().find("fail-open"), std::string::npos);
  EXPECT_FALSE(j.contains("process"));
}

TEST(EcsJson, LostEventHasOnlyLossFields) {
  Event e;
  e.action = "lost";
  e.outcome = "failure";  // ignored: a loss has no outcome
  e.realtime_ns = 0;
  e.lost = 17;
  e.lost_cause = "ringbuf-full";
  e.raw.tgid = 99;
  json j = to_ecs_json(e);
  EXPECT_EQ(j["@timestamp"], "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(j["ecs"]["version"], "8.11.0");
  EXPECT_EQ(j["event"]["kind"], "event");
  EXPECT_EQ(j["event"]["action"], "lost");
  EXPECT_EQ(j["event"]["outcome"], "unknown");
  EXPECT_EQ(j["event"]["type"], json::array({"info"}));
  EXPECT_EQ(j["sockwarden"]["lost"]["count"], 17);
  EXPECT_EQ(j["sockwarden"]["lost"]["cause"], "ringbuf-full");
  EXPECT_EQ(j.size(), 4u);
  EXPECT_EQ(j["sockwarden"].size(), 1u);
  EXPECT_FALSE(j.contains("process"));
}

TEST(EcsJson, JsonLineRoundTripsBinaryPayload) {
  Event e = send_event();
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  e.raw.payload = all;
  std::string line = to_json_line(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind("{\"@timestamp\":", 0), 0u) << "compact, no spaces after separators";
  json back = json::parse(line);  // throws on invalid JSON / UTF-8
  std::string escaped = back["sockwarden"]["payload"];
  EXPECT_EQ(escaped.substr(0, 16), "\\x00\\x01\\x02\\x03");
  EXPECT_EQ(back["sockwarden"]["payload_captured"], 256);
  EXPECT_EQ(back, to_ecs_json(e));
}

TEST(EcsJson, InvalidUtf8InProcessFieldsDoesNotThrow) {
  Event e = send_event();
  e.process.edit().name = "bad\xff\xfe";
  e.process.edit().command_line = "x \xc3";
  std::string line;
  ASSERT_NO_THROW(line = to_json_line(e));
  json back = json::parse(line);
  EXPECT_EQ(back["process"]["name"], "bad\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFD each
}

TEST(FlagNames, EachBitHasItsName) {
  EXPECT_EQ(flag_names(0), std::vector<std::string>{});
  EXPECT_EQ(flag_names(SW_F_TRUNCATED), std::vector<std::string>{"truncated"});
  EXPECT_EQ(flag_names(SW_F_PAYLOAD_PARTIAL), std::vector<std::string>{"payload-partial"});
  EXPECT_EQ(flag_names(SW_F_PAYLOAD_NONE), std::vector<std::string>{"payload-unreadable"});
  EXPECT_EQ(flag_names(SW_F_FD_UNKNOWN), std::vector<std::string>{"fd-unknown"});
  EXPECT_EQ(flag_names(SW_F_ABSTRACT), std::vector<std::string>{"abstract-socket"});
  EXPECT_EQ(flag_names(SW_F_PAYLOAD_USER), std::vector<std::string>{"payload-from-user-memory"});
  EXPECT_EQ(flag_names(SW_F_RESULT_KNOWN), std::vector<std::string>{});
  EXPECT_EQ(flag_names(0xffffffffu),
            (std::vector<std::string>{"truncated", "payload-partial", "payload-unreadable",
                                      "payload-from-user-memory", "fd-unknown", "abstract-socket", "denied",
                                      "flood-gap"}));
  EXPECT_EQ(flag_names(SW_F_FLOOD_GAP), std::vector<std::string>{"flood-gap"});
}

TEST(EcsJson, FloodSuppressedSummarisesOneProcess) {
  Event e;
  e.action = "flood-suppressed";
  e.outcome = "unknown";
  e.tier = "socket-tp";
  e.raw.tgid = 4242;
  e.raw.uid = 1000;
  e.raw.euid = 1000;
  e.raw.cgroup_id = 77;
  e.raw.comm = "flooder";
  e.cgroup_path = "/user.slice";
  e.flags = {"unexpected-caller"};
  e.flood = FloodCounts{123, 4, 5678, 2000};
  auto j = to_ecs_json(e);
  EXPECT_EQ(j["event"]["action"], "flood-suppressed");
  EXPECT_EQ(j["event"]["kind"], "alert");
  EXPECT_EQ(j["process"]["pid"], 4242);
  EXPECT_EQ(j["process"]["name"], "flooder");
  EXPECT_EQ(j["user"]["id"], "1000");
  EXPECT_EQ(j["sockwarden"]["cgroup"]["path"], "/user.slice");
  EXPECT_EQ(j["sockwarden"]["flood"]["suppressed_sends"], 123);
  EXPECT_EQ(j["sockwarden"]["flood"]["suppressed_connects"], 4);
  EXPECT_EQ(j["sockwarden"]["flood"]["suppressed_bytes"], 5678);
  EXPECT_EQ(j["sockwarden"]["flood"]["window_ms"], 2000);
  EXPECT_EQ(j["sockwarden"]["flags"], nlohmann::json::array({"unexpected-caller"}));
}

TEST(EcsJson, RelayCallerCarriesWhereItRelaysFrom) {
  Event e;
  e.action = "send";
  e.raw.tgid = 1;
  e.flags = {"relay"};
  e.relay = RelayInfo{{"tcp:127.0.0.1:2375"}, "socat"};
  auto j = to_ecs_json(e);
  EXPECT_EQ(j["sockwarden"]["relay"]["listen"], nlohmann::json::array({"tcp:127.0.0.1:2375"}));
  EXPECT_EQ(j["sockwarden"]["relay"]["tool"], "socat");
}

}  // namespace
}  // namespace sockwarden
