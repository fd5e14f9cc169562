// The one JSON writer (format/json_writer.h, format/ecs_json.cpp) writes
// every event line in canonical form: the bytes nlohmann itself dumps for the
// parsed line (members in sorted key order, no key twice, its escaping and
// U+FFFD replacement), for every shape an event can take: every optional
// member present and absent, containers with and without pods and parents,
// decoded requests with their effects, odd bytes in every string.
#include "format/json_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "event_fixtures.h"
#include "events.h"
#include "format/ecs_json.h"

namespace sockwarden {
namespace {

// The line parsed and dumped again by nlohmann (std::map: sorted keys).
std::string tree_line(const Event& e) {
  return nlohmann::json::parse(to_json_line(e)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Event base_event(const char* action) { return testing::docker_caller_event(action); }

void expect_same(const Event& e, const std::string& what) {
  EXPECT_EQ(to_json_line(e), tree_line(e)) << what;
  std::string appended = "x";
  append_json_line(appended, e);
  EXPECT_EQ(appended, "x" + to_json_line(e)) << what;
}

TEST(JsonLine, MatchesTheTreeForEveryActionAndOptionalMember) {
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
    full.flags = {"unexpected-caller", "redacted", "truncated", "redacted"};  // a name twice: once in the line
    ProcessInfo p = testing::docker_ps_process();
    p.command_line = "docker ps -a";
    p.args = {"docker", "ps", "-a"};
    p.loginuid = 1000;
    p.sessionid = 3;
    p.start_realtime_ns = 1'700'000'000'000'000'000ULL;
    p.ancestors = {{4000, "/usr/bin/bash", "bash"}, {1, "", "systemd"}, {0, "", ""}};
    full.process = p;
    expect_same(full, std::string(action) + " full");
    EXPECT_EQ(to_ecs_json(full)["sockwarden"]["flags"],
              nlohmann::json::array({"truncated", "fd-unknown", "abstract-socket", "denied", "unexpected-caller",
                                     "redacted"}));

    Event no_payload = base_event(action);
    no_payload.raw.payload.clear();
    no_payload.outcome.clear();
    no_payload.process.edit().ancestors = {{77, "", "sh"}};  // a parent without an executable
    expect_same(no_payload, std::string(action) + " no payload");

    Event name_only_parent = base_event(action);
    name_only_parent.process.edit().ancestors = {{77, "/bin/sh", ""}};
    expect_same(name_only_parent, std::string(action) + " parent without a name");
  }
}

TEST(JsonLine, EscapesLikeTheTree) {
  Event e = base_event("send");
  std::string all_bytes;
  for (int c = 0; c < 256; c++) all_bytes.push_back(static_cast<char>(c));
  e.raw.payload = all_bytes;
  e.raw.comm = std::string("a\"b\\c\x01\x7f", 7);
  e.process.edit().args = {"quote\"", "back\\slash", "tab\tnl\ncr\rbs\bff\f", std::string("nul\x00x", 5), "\x1f"};
  e.process.edit().command_line = "x\x7fy";
  e.socket_path = "/run/caf\xc3\xa9.sock";              // valid UTF-8
  e.cgroup_path = "/bad\xff\xfe/utf8\xc3";                // invalid: U+FFFD like the tree
  e.process.edit().executable = "/opt/\xe2\x82\xac/bin";         // valid 3-byte sequence
  e.process.edit().ancestors = {{9, "/x\xf0\x9f\x98\x80", "emoji\xf0"}};
  expect_same(e, "odd bytes");
}

TEST(JsonLine, ContainersWithPodsAndParents) {
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

TEST(JsonLine, RequestsWithEveryMemberAndEffect) {
  Event e = base_event("request");
  e.severity = "critical";
  e.severity_score = 99;
  DecodedRequest r;
  r.protocol = "http/1.1";
  r.method = "POST";
  r.target = "/v1.47/containers/create?name=x&token=secret";
  r.path = "/containers/create";
  r.query = "name=x&token=REDACTED";
  r.api_version = "1.47";
  r.user_agent = "Docker-Client/27 \xff";
  r.content_length = 4096;
  r.chunked = true;
  r.body_bytes = 4096;
  r.truncated = true;
  r.unparsed_body = true;
  r.anomalies = {"length-mismatch"};
  r.operation = "container-create";
  // A decoder's summary: insertion order, nested; the line sorts it.
  r.summary["Zeta"] = 1;
  r.summary["Binds"] = {"/:/host", "/var/run/docker.sock:/s"};
  r.summary["HostConfig"] = {{"Privileged", true}, {"CapAdd", {"SYS_ADMIN"}}, {"Memory", 1.5}};
  r.summary["Env"] = nullptr;
  r.summary["Count"] = -3;
  // Keys from a hostile body: escaped; two that differ only in invalid bytes become one.
  r.summary["we\"ird\xff"] = "a";
  r.summary["we\"ird\xfe"] = "b";
  r.summary["\xef\xbf\xbc"] = "sorts before U+FFFD";
  r.add_risk("privileged");
  r.add_risk("host-mount", "/");
  r.add_risk("host-mount", "/var/run/docker.sock");
  r.add_risk("effect-mismatch", "privileged");
  r.status_code = 201;
  r.grpc_service = "containerd.services.containers.v1.Containers";
  r.grpc_method = "Create";
  r.containerd_namespace = "k8s.io";
  RequestEffect f;
  f.status = "verified";
  f.source = "docker-state";
  f.container_id = std::string(64, 'd');
  f.container = true;
  f.privileged = true;
  f.host_mounts = {"/"};
  f.capabilities = {"SYS_ADMIN"};
  f.devices = {"/dev/mem"};
  f.namespaces = {{"pid", "host"}, {"net", "host"}, {"pid", "container"}};  // a key twice: the last wins
  f.security_options = {"seccomp=unconfined"};
  f.risk = {{"privileged", ""}, {"host-mount", "/"}, {"privileged", ""}};
  f.mismatch = {"privileged"};
  r.effect = f;
  e.request = r;
  expect_same(e, "create with a verified effect");

  for (const char* proto : {"http/1.0", "http/2", "other"}) {
    e.request->protocol = proto;
    expect_same(e, proto);
  }

  RequestEffect x;
  x.status = "verified";
  x.source = "exec-record";
  x.exec_id = std::string(64, 'e');
  x.exec = true;
  x.command = {"sh", "-c", "id"};
  x.pid = 777;
  x.uid = 0;
  x.euid = 0;
  x.exec_privileged = true;
  x.cap_effective = "000001ffffffffff";
  e.request->effect = x;
  expect_same(e, "exec effect");

  RequestEffect img;
  img.status = "verified";
  img.image = true;
  img.images = {{"local/busybox:1", "sha256:" + std::string(64, 'f'), ""},
                {"busybox:latest", "sha256:" + std::string(64, '1'), "sha256:" + std::string(64, '2')}};
  e.request->effect = img;
  expect_same(e, "image effect");

  e.request->effect = RequestEffect::unknown("not-found");
  expect_same(e, "unknown effect");

  DecodedRequest bare;
  bare.protocol = "http/1.1";
  bare.method = "GET";
  bare.target = "/_ping";
  bare.path = "/_ping";
  bare.operation = "ping";
  e.request = bare;
  e.relay = RelayInfo{{"tcp:127.0.0.1:2375", "unix:/tmp/o.sock"}, "socat"};
  expect_same(e, "bare request from a relay");
}

TEST(JsonLine, AgentEvents) {
  Event lost;
  lost.action = "lost";
  lost.realtime_ns = 1'795'380'397'000'000'001ULL;
  lost.lost = 12;
  lost.lost_cause = "ringbuf-full";
  expect_same(lost, "lost");

  Event gap;
  gap.action = "agent-gap";
  gap.realtime_ns = 1'795'380'397'000'000'001ULL;
  gap.gap_start_realtime_ns = 1'795'380'300'000'000'000ULL;
  gap.previous_agent_pid = 99;
  gap.message = "the agent was not running";
  expect_same(gap, "agent-gap");
  gap.action = "enforcement-gap";
  expect_same(gap, "enforcement-gap");

  Event start;
  start.action = "agent-start";
  AgentLifecycle a;
  a.version = "1.2.3";
  a.tier = "socket-tp";
  a.enforcement = "monitor";
  a.sockets = {"/run/docker.sock", "@abstract"};
  a.pid = 4;
  a.existing_connections = 2;
  start.agent = a;
  expect_same(start, "agent-start");
  Event stop = start;
  stop.action = "agent-stop";
  stop.message = "stopping";
  stop.agent->reason = "SIGTERM";
  stop.agent->events = 10;
  for (double up : {12.5, 3.0, 0.1, 1e-7, 123456789012.25}) {
    stop.agent->uptime_sec = up;
    expect_same(stop, "agent-stop " + std::to_string(up));
  }

  Event flood = base_event("flood-suppressed");
  flood.flood = FloodCounts{10, 2, 640, 1000};
  flood.flags = {"flood"};
  flood.process.edit().ancestors = {{1, "", "init"}};
  expect_same(flood, "flood-suppressed");

  Event finding;
  finding.action = "audit-finding";
  finding.severity_score = 73;
  AuditFindingInfo f;
  f.rule = "privileged-container";
  f.key = "k";
  f.severity = "critical";
  f.subject = "web";
  f.title = "";  // empty, still present as event.reason
  f.evidence = {"Privileged: true"};
  f.trigger = "container-create";
  AuditCause c;
  c.operation = "container-create";
  c.pid = 5;
  c.container_id = std::string(64, 'a');
  f.caused_by = c;
  finding.finding = f;
  ContainerInfo ci;
  ci.ref.id = std::string(64, 'b');
  ContainerRef outer;
  outer.runtime = "docker";
  outer.id = std::string(64, 'c');
  ci.ref.parents = {outer};
  ci.pod_uid = "u";
  finding.container = ci;
  expect_same(finding, "audit-finding");
  finding.action = "audit-finding-resolved";
  finding.finding->caused_by.reset();
  finding.finding->socket_path = "/run/docker.sock";
  expect_same(finding, "audit-finding-resolved");
}

TEST(JsonWriter, CommasNestingAndShorthands) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.number(-1);
  w.null();
  w.boolean(false);
  w.end_array();
  w.member_if("b", "");
  w.member_if("c", "x");
  w.member("d", uint64_t{18446744073709551615u});
  w.key("e");
  w.number(0.5);
  w.end_object();
  w.finish();  // the writer writes ahead of the string's size until then
  EXPECT_EQ(out, R"({"a":[{},[],-1,null,false],"c":"x","d":18446744073709551615,"e":0.5})");
}

// The cursor and the string agree across raw values, growth past the
// first allocation, and a writer that starts on a string with text in it.
TEST(JsonWriter, CursorAndRawAppendsAgree) {
  std::string out = "prefix:";
  {
    JsonWriter w(out);
    w.begin_object();
    w.key("raw");
    w.raw("123");
    w.member("after", std::string(5000, 'x'));  // grows the buffer
    w.key("t");
    w.raw("\"2026\"");
    w.member_bool("z", true);
    w.end_object();
  }
  EXPECT_EQ(out, "prefix:{\"raw\":123,\"after\":\"" + std::string(5000, 'x') + "\",\"t\":\"2026\",\"z\":true}");
}

TEST(JsonWriter, SummaryDeeperThanTheLimitIsCutToNull) {
  nlohmann::ordered_json deep = 1;
  for (int i = 0; i < 200; i++) deep = nlohmann::ordered_json::array({deep});
  std::string out;
  JsonWriter w(out);
  w.value(deep);
  w.finish();
  auto back = nlohmann::json::parse(out);  // valid JSON, nesting bounded
  int depth = 0;
  for (const nlohmann::json* p = &back; p->is_array(); p = &(*p)[0]) depth++;
  EXPECT_LT(depth, JsonWriter::kMaxDepth);
  EXPECT_GT(depth, JsonWriter::kMaxDepth - 4);
}

// Every byte value at every position of a string long enough for the eight-at-a-time scan.
TEST(JsonWriter, EveryByteAtEveryPositionLikeNlohmann) {
  for (int c = 0; c < 256; c++)
    for (size_t at = 0; at < 19; at++) {
      std::string s(19, 'a');
      s[at] = static_cast<char>(c);
      std::string out;
      JsonWriter::append_string(out, s);
      ASSERT_EQ(out, nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
          << "byte " << c << " at " << at;
    }
}

TEST(JsonWriter, StringsLikeNlohmann) {
  std::string all;
  for (int c = 0; c < 256; c++) all.push_back(static_cast<char>(c));
  for (const std::string& s : {all, std::string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), std::string("\xed\xa0\x80x"),
                               std::string("\xf4\x90\x80\x80"), std::string("\xc3"), std::string()}) {
    std::string out;
    JsonWriter::append_string(out, s);
    EXPECT_EQ(out, nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

}  // namespace
}  // namespace sockwarden
