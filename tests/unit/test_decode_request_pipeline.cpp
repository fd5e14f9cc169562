// Sends -> request events: attribution from the write holding the request's
// first byte, severity with the caller flags, status from the reply, ECS JSON
// and the table line.
#include <gtest/gtest.h>

#include <sstream>

#include "agent/request_pipeline.h"
#include "decode_test_util.h"
#include "events.h"
#include "format/ecs_json.h"
#include "format/table_printer.h"

namespace sockwarden {
namespace {

Event send_event(uint64_t conn, std::string payload, uint32_t pid, uint64_t bytes = 0) {
  Event e;
  e.action = "send";
  e.outcome = "success";
  e.raw.kind = EventKind::Send;
  e.raw.client_sock_ino = conn;
  e.raw.tgid = e.raw.pid = pid;
  e.raw.bytes = bytes ? bytes : payload.size();
  if (bytes > payload.size()) e.raw.flags |= SW_F_TRUNCATED;
  e.raw.payload = std::move(payload);
  e.process.edit().name = "docker";
  e.flags = {"container-originated", "unexpected-caller", "redacted"};
  ContainerInfo c;
  c.name = "attacker";
  c.ref.id = std::string(64, 'a');
  c.ref.runtime = "docker";
  e.container = c;
  return e;
}

Event reply_event(uint64_t conn, std::string payload) {
  Event e;
  e.action = "reply";
  e.raw.kind = EventKind::Reply;
  e.raw.client_sock_ino = conn;
  e.raw.payload = std::move(payload);
  return e;
}

TEST(DecodeRequestPipeline, CreateEventWithAttributionSeverityAndStatus) {
  std::string s = test::read_fixture("docker/run-privileged/conn-01.c2s");
  size_t create = s.find("POST ");
  RequestPipeline p(ReassemblerOptions{}, /*replies_visible=*/true);
  auto now = RequestPipeline::Clock::now();
  // The ping, then the create split in two writes by two "processes" (the first write wins).
  auto a = p.on_send(send_event(5, s.substr(0, create), 100), now);
  EXPECT_TRUE(a.empty());  // waiting for its reply
  auto ping = p.on_reply(reply_event(5, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"), now);
  ASSERT_EQ(ping.size(), 1u);
  EXPECT_EQ(ping[0].request->operation, "ping");
  EXPECT_TRUE(p.on_send(send_event(5, s.substr(create, 300), 101), now).empty());
  EXPECT_TRUE(p.on_send(send_event(5, s.substr(create + 300), 102), now).empty());
  auto done = p.on_reply(reply_event(5, "HTTP/1.1 201 Created\r\n"), now);
  ASSERT_EQ(done.size(), 1u);
  const Event& e = done[0];
  EXPECT_EQ(e.action, "request");
  EXPECT_EQ(e.raw.tgid, 101u);
  EXPECT_EQ(e.severity, "critical");
  EXPECT_EQ(e.outcome, "success");
  auto j = to_ecs_json(e);
  EXPECT_EQ(j["event"]["action"], "request");
  EXPECT_EQ(j["event"]["severity"], 99);
  EXPECT_EQ(j["http"]["request"]["method"], "POST");
  EXPECT_EQ(j["http"]["response"]["status_code"], 201);
  EXPECT_EQ(j["http"]["version"], "1.1");
  EXPECT_EQ(j["url"]["path"], "/containers/create");
  EXPECT_EQ(j["url"]["original"], "/v1.41/containers/create");
  EXPECT_EQ(j["user_agent"]["original"], "Docker-Client/28.2.2 (linux)");
  EXPECT_EQ(j["container"]["name"], "attacker");
  auto& rq = j["sockwarden"]["request"];
  EXPECT_EQ(rq["api_version"], "1.41");
  EXPECT_EQ(rq["severity"], "critical");
  EXPECT_EQ(rq["host_mounts"], nlohmann::json::array({"/"}));
  EXPECT_EQ(rq["summary"]["privileged"], true);
  EXPECT_FALSE(j["sockwarden"].contains("payload"));
  auto flags = j["sockwarden"]["flags"];
  EXPECT_EQ(std::find(flags.begin(), flags.end(), "redacted"), flags.end());
  std::ostringstream out;
  TablePrinter t(out, false);
  t.print(e);
  EXPECT_NE(out.str().find("POST /containers/create 201 privileged,host-mount:/"), std::string::npos) << out.str();
}

TEST(DecodeRequestPipeline, NoRepliesOnTierEmitsAtOnceAndTruncatedWriteKeepsSync) {
  std::string s = test::read_fixture("docker/run-privileged/conn-01.c2s");
  size_t create = s.find("POST ");
  RequestPipeline p(ReassemblerOptions{}, /*replies_visible=*/false);
  auto now = RequestPipeline::Clock::now();
  std::string w = s.substr(create);
  // Captured only the first 400 bytes of the create write (cap): the body is incomplete.
  auto r = p.on_send(send_event(6, w.substr(0, 400), 7, w.size()), now);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].request->truncated);
  EXPECT_TRUE(r[0].request->has_risk("unparsed-body"));
  EXPECT_EQ(r[0].raw.flags & SW_F_TRUNCATED, 0u);
  auto r2 = p.on_send(send_event(6, "GET /v1.41/containers/json HTTP/1.1\r\n\r\n", 7), now);
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].request->path, "/containers/json");
}

TEST(DecodeRequestPipeline, UnansweredRequestReleasedByTick) {
  RequestPipeline p(ReassemblerOptions{}, true, std::chrono::milliseconds(100));
  auto now = RequestPipeline::Clock::now();
  EXPECT_TRUE(p.on_send(send_event(8, "GET /_ping HTTP/1.1\r\n\r\n", 1), now).empty());
  auto r = p.tick(now + std::chrono::seconds(1));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].outcome, "unknown");
  EXPECT_FALSE(to_ecs_json(r[0])["http"].contains("response"));
}

// An HTTP/2 stream left open is reported when the connection idles out, with
// the attribution of the connection's writes.
TEST(DecodeRequestPipeline, OpenGrpcStreamReportedAtIdleExpiryWithAttribution) {
  ReassemblerOptions o;
  o.idle_timeout = std::chrono::seconds(1);
  RequestPipeline p(o, true);
  auto now = RequestPipeline::Clock::now();
  test::HpackEncoder enc;
  std::string s(Http2Decoder::kPreface);
  s += test::h2_frame(1, 0x4, 1, enc.encode({{":method", "POST"}, {":path", "/containerd.services.events.v1.Events/Subscribe"},
                                             {"containerd-namespace", "k8s.io"}}));
  EXPECT_TRUE(p.on_send(send_event(12, s.substr(0, 30), 55), now).empty());
  EXPECT_TRUE(p.on_send(send_event(12, s.substr(30), 55), now).empty());
  auto r = p.tick(now + std::chrono::seconds(5));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].raw.tgid, 55u);
  EXPECT_EQ(r[0].request->grpc_method, "Subscribe");
  EXPECT_EQ(r[0].request->containerd_namespace, "k8s.io");
  EXPECT_TRUE(p.tick(now + std::chrono::seconds(10)).empty());
}

// A body the headers did not announce is parsed as a request line (as the
// daemon does): its bytes are reported, redacted.
TEST(DecodeRequestPipeline, UnparsedBytesAreRedacted) {
  RequestPipeline p(ReassemblerOptions{}, false);
  auto r = p.on_send(send_event(9, "POST /v1.41/containers/create HTTP/1.1\r\n\r\n{\"Env\":[\"DB_PASSWORD=hunter2\"]}", 3),
                     RequestPipeline::Clock::now());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].request->operation, "unparsed");
  std::string j = to_ecs_json(r[1]).dump();
  EXPECT_EQ(j.find("hunter2"), std::string::npos) << j;
  EXPECT_NE(j.find("DB_PASSWORD="), std::string::npos) << j;
}

}  // namespace
}  // namespace sockwarden
