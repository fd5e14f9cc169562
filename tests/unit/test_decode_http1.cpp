// Hand-built adversarial HTTP/1.x streams: framing the way dockerd (Go net/http)
// reads it, capture gaps, budgets, connection-table bounds, reply matching.
#include <gtest/gtest.h>

#include <algorithm>

#include "decode/reply_matcher.h"
#include "decode/severity.h"
#include "decode_test_util.h"

namespace sockwarden {
namespace {
using test::feed_split;
using test::feed_whole;

std::string create_req(const std::string& body, const std::string& extra_headers = "") {
  return "POST /v1.41/containers/create?name=x HTTP/1.1\r\nHost: docker\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}
const std::string kPriv = R"({"Image":"alpine","HostConfig":{"Privileged":true,"Binds":["/etc:/x:ro"]}})";

TEST(DecodeHttp1, ChunkedCreateWithExtensionsAndTrailers) {
  std::string body = kPriv;
  std::string s = "POST /v1.41/containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" "5;ext=1\r\n" +
                  body.substr(0, 5) + "\r\n" + [&] {
                    char b[16];
                    snprintf(b, sizeof b, "%zx", body.size() - 5);
                    return std::string(b);
                  }() + "\r\n" + body.substr(5) + "\r\n0\r\nX-Trailer: 1\r\n\r\n";
  auto r = feed_whole(s);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].chunked);
  EXPECT_EQ(r[0].body_bytes, body.size());
  EXPECT_TRUE(r[0].has_risk("privileged"));
  EXPECT_TRUE(r[0].has_risk("host-mount"));
}

TEST(DecodeHttp1, HeaderCaseAndWhitespaceVariants) {
  std::string s = "POST /v1.41/containers/create HTTP/1.1\r\ncontent-LENGTH:   " + std::to_string(kPriv.size()) +
                  "  \r\nuser-agent:\tcurl/8\r\n\r\n" + kPriv;
  auto r = feed_whole(s);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].user_agent, "curl/8");
  EXPECT_TRUE(r[0].has_risk("privileged"));
}

TEST(DecodeHttp1, JsonKeysMatchCaseInsensitivelyLikeGo) {
  auto r = feed_whole(create_req(R"({"image":"a","hostconfig":{"privileged":true,"pidmode":"host","capadd":["sys_admin"]}})"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].has_risk("privileged"));
  EXPECT_TRUE(r[0].has_risk("host-pid"));
  EXPECT_TRUE(r[0].has_risk("cap-add"));
  EXPECT_EQ(r[0].risk.back().detail, "SYS_ADMIN");
}

TEST(DecodeHttp1, EveryHostModeDeviceAndSecurityOpt) {
  auto r = feed_whole(create_req(
      R"({"Image":"a","Env":["PASSWORD=s3cret","X"],"HostConfig":{"NetworkMode":"host","IpcMode":"host","UTSMode":"host","UsernsMode":"host",
      "Devices":[{"PathOnHost":"/dev/mem","PathInContainer":"/dev/mem"}],"SecurityOpt":["seccomp=unconfined","apparmor:unconfined"],
      "Mounts":[{"Type":"bind","Source":"/var/run/docker.sock","Target":"/s"},
                {"Type":"volume","Target":"/v","VolumeOptions":{"DriverConfig":{"Options":{"type":"none","o":"bind","device":"/root"}}}}]}})"));
  ASSERT_EQ(r.size(), 1u);
  for (const char* f : {"host-network", "host-ipc", "host-uts", "userns-host", "device", "security-unconfined",
                        "runtime-socket-mount", "host-mount"})
    EXPECT_TRUE(r[0].has_risk(f)) << f;
  EXPECT_EQ(r[0].summary["env"], Json::array({"PASSWORD", "X"}));
  EXPECT_EQ(r[0].summary.dump().find("s3cret"), std::string::npos);
  bool root = false;
  for (const auto& f : r[0].risk) root = root || (f.name == "host-mount" && f.detail == "/root");
  EXPECT_TRUE(root) << "a local volume with o=bind,device=/root is a bind mount";
}

TEST(DecodeHttp1, NamedVolumeIsNotAHostMount) {
  auto r = feed_whole(create_req(R"({"Image":"a","HostConfig":{"Binds":["data:/data"]}})"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].has_risk("host-mount"));
}

TEST(DecodeHttp1, ChunkedWinsOverContentLength) {
  std::string s = "POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" "2\r\n{}\r\n0\r\n\r\n"
                  "GET /_ping HTTP/1.1\r\n\r\n";
  auto r = feed_whole(s);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NE(std::find(r[0].anomalies.begin(), r[0].anomalies.end(), "content-length-with-chunked"), r[0].anomalies.end());
  EXPECT_EQ(r[0].body_bytes, 2u);
  EXPECT_EQ(r[1].path, "/_ping");
}

TEST(DecodeHttp1, Http10IgnoresTransferEncodingLikeGo) {
  std::string s = "POST /containers/create HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}";
  auto r = feed_whole(s);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].protocol, "http/1.0");
  EXPECT_FALSE(r[0].chunked);
  EXPECT_EQ(r[0].body_bytes, 2u);
}

TEST(DecodeHttp1, ConflictingContentLengthIsUnparsedAndStopsParsing) {
  auto r = feed_whole("POST /containers/create HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}" + kPriv);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].unparsed_body);
  EXPECT_TRUE(r[0].has_risk("unparsed-body"));
}

// CVE-2024-41110 class: a body the length does not announce. What follows is
// parsed as the next request (as the daemon does), and garbage there is flagged.
TEST(DecodeHttp1, BodyBeyondContentLengthIsFlagged) {
  auto r = feed_whole("POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 0\r\n\r\n" + kPriv);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NE(std::find(r[0].anomalies.begin(), r[0].anomalies.end(), "missing-body"), r[0].anomalies.end());
  EXPECT_EQ(r[1].operation, "unparsed");
  EXPECT_TRUE(r[1].unparsed_body);
}

TEST(DecodeHttp1, BadChunkedIsUnparsed) {
  auto r = feed_whole("POST /containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].unparsed_body);
}

TEST(DecodeHttp1, ExpectContinueBodySkipped) {
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  auto a = ra.on_write(1, "POST /containers/create HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n", 0, 1, now);
  EXPECT_TRUE(a.empty());
  auto b = ra.on_write(1, "GET /_ping HTTP/1.1\r\n\r\n", 0, 2, now);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].operation, "container-create");
  EXPECT_EQ(b[1].operation, "ping");
}

TEST(DecodeHttp1, LeadingCrlfAndBareLf) {
  auto r = feed_whole("\r\n\r\nGET /v1.41/containers/json HTTP/1.1\nHost: d\n\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/containers/json");
}

TEST(DecodeHttp1, GapInBodyOfKnownLengthKeepsSync) {
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  std::string req = create_req(kPriv);
  size_t head = req.find("\r\n\r\n") + 4;
  // The write was cut 10 bytes into the body; the rest is a gap of known size.
  auto a = ra.on_write(1, std::string_view(req).substr(0, head + 10), req.size() - head - 10, 1, now);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].truncated);
  EXPECT_TRUE(a[0].unparsed_body);  // the JSON is incomplete: flagged, not "no risk"
  EXPECT_TRUE(a[0].has_risk("unparsed-body"));
  EXPECT_EQ(a[0].body_bytes, kPriv.size());
  auto b = ra.on_write(1, "GET /_ping HTTP/1.1\r\n\r\n", 0, 2, now);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].operation, "ping");
}

TEST(DecodeHttp1, GapInHeadersResyncsAtNextRequest) {
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  auto a = ra.on_write(1, "POST /v1.41/containers/create HTTP/1.1\r\nHost: d", 500, 1, now);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].truncated);
  EXPECT_TRUE(a[0].unparsed_body);
  EXPECT_TRUE(ra.on_write(1, "ody bytes that follow the gap", 0, 2, now).empty());
  auto b = ra.on_write(1, "GET /_ping HTTP/1.1\r\n\r\n", 0, 3, now);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].path, "/_ping");
}

TEST(DecodeHttp1, BudgetTruncatesBodyButReportsLineAndHeaders) {
  std::string big(200000, 'x');
  auto r = feed_split(create_req(big, "User-Agent: ua\r\n"), {}, 1024);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/containers/create");
  EXPECT_EQ(r[0].user_agent, "ua");
  EXPECT_TRUE(r[0].truncated);
  EXPECT_EQ(r[0].body_bytes, big.size());
}

TEST(DecodeHttp1, HugeHeaderLineIsBounded) {
  std::string s = "GET /" + std::string(100000, 'a') + " HTTP/1.1\r\n\r\nGET /_ping HTTP/1.1\r\n\r\n";
  ReassemblerOptions o;
  o.request_budget = 4096;
  StreamReassembler ra(o);
  auto now = StreamReassembler::Clock::now();
  auto r = ra.on_write(1, std::string_view(s).substr(0, 50000), 0, 1, now);
  EXPECT_LE(ra.held_bytes(), 4096u + 64);
  auto r2 = ra.on_write(1, std::string_view(s).substr(50000), 0, 2, now);
  r.insert(r.end(), r2.begin(), r2.end());
  ASSERT_GE(r.size(), 1u);
  EXPECT_TRUE(r[0].unparsed_body);
}

TEST(DecodeHttp1, MidStreamConnectionWaitsForARequest) {
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  EXPECT_TRUE(ra.on_write(1, "\"Privileged\":true}", 0, 1, now).empty());
  auto r = ra.on_write(1, "GET /_ping HTTP/1.1\r\n\r\n", 0, 2, now);
  ASSERT_EQ(r.size(), 1u);
}

// Upgrade on a route the daemon does not hijack changes nothing: requests after it still decode.
TEST(DecodeHttp1, UpgradeHeaderAloneDoesNotStopParsing) {
  auto r = feed_whole("GET /_ping HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" + create_req(kPriv));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[1].has_risk("privileged"));
  auto s = feed_whole("POST /session HTTP/1.1\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n" + create_req(kPriv));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].operation, "session");
}

TEST(DecodeHttp1, UnreadableFirstWriteThenHttp) {
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  EXPECT_TRUE(ra.on_write(1, "", 5000, 1, now).empty());  // payload-unreadable: not taken for HTTP/2
  auto r = ra.on_write(1, "GET /_ping HTTP/1.1\r\n\r\n", 0, 2, now);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].operation, "ping");
}

TEST(DecodeHttp1, BuildargsAreRedactedInQuery) {
  auto r = feed_whole("POST /v1.41/build?t=x&buildargs=%7B%22TOKEN%22%3A%22abc%22%7D HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].operation, "image-build");
  EXPECT_EQ(r[0].query, "t=x&buildargs=[REDACTED]");
}

TEST(DecodeHttp1, LibpodCreate) {
  std::string body = R"({"image":"a","privileged":true,"pidns":{"nsmode":"host"},"mounts":[{"destination":"/h","source":"/","type":"bind"}],"cap_add":["CAP_SYS_ADMIN"]})";
  auto r = feed_whole("POST /v4.0.0/libpod/containers/create HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].api_version, "4.0.0");
  EXPECT_EQ(r[0].operation, "container-create");
  for (const char* f : {"privileged", "host-pid", "host-mount", "cap-add"}) EXPECT_TRUE(r[0].has_risk(f)) << f;
}

TEST(DecodeReassembler, LruEvictionAndIdleExpiryBoundTheTable) {
  ReassemblerOptions o;
  o.max_connections = 100;
  o.idle_timeout = std::chrono::seconds(5);
  StreamReassembler ra(o);
  auto now = StreamReassembler::Clock::now();
  for (uint64_t c = 0; c < 200000; c++) ra.on_write(c, "POST /containers/create HTTP/1.1\r\nContent-Le", 0, c, now);
  auto st = ra.stats();
  EXPECT_EQ(st.connections, 100u);
  EXPECT_EQ(st.evicted, 199900u);
  EXPECT_LT(ra.held_bytes(), 100u * 64);
  auto left = ra.expire(now + std::chrono::seconds(6));
  EXPECT_EQ(left.size(), 100u);  // in-progress requests reported, truncated
  EXPECT_EQ(ra.stats().connections, 0u);
  EXPECT_EQ(ra.stats().expired, 100u);
}

TEST(DecodeReplyMatcher, StatusLineFifoAndEarlyReplies) {
  EXPECT_EQ(parse_status_line("HTTP/1.1 201 Created\r\n"), 201);
  EXPECT_EQ(parse_status_line("HTTP/1.0 404 Not Found"), 404);
  EXPECT_FALSE(parse_status_line("{\"a\":1}"));
  using M = ReplyMatcher<int>;
  M m(std::chrono::seconds(1));
  auto set = +[](int& x, int st) { x = st; };
  auto now = M::Clock::now();
  EXPECT_TRUE(m.add(9, 0, now, set).empty());
  EXPECT_TRUE(m.add(9, 0, now, set).empty());
  EXPECT_TRUE(m.on_reply(9, "HTTP/1.1 100 Continue\r\n\r\n", now, set).empty());
  auto a = m.on_reply(9, "HTTP/1.1 200 OK\r\n", now, set);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0], 200);
  auto b = m.on_reply(9, "HTTP/1.1 500 Internal Server Error\r\n", now, set);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], 500);
  // The reply raced ahead of its request.
  EXPECT_TRUE(m.on_reply(10, "HTTP/1.1 201 Created\r\n", now, set).empty());
  auto c = m.add(10, 0, now, set);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0], 201);
  // No reply: released after the wait.
  m.add(11, 7, now, set);
  EXPECT_TRUE(m.expire(now).empty());
  auto d = m.expire(now + std::chrono::seconds(2));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], 7);
  EXPECT_EQ(m.waiting(), 0u);
  // Only that one went out without a status: it is counted, the answered ones are not.
  EXPECT_EQ(m.unanswered(), 1u);
}

TEST(DecodeSeverity, CallerRaisesRequestRisk) {
  DecodedRequest r;
  r.add_risk("image-pull", "x");
  EXPECT_EQ(request_severity(r, {"container-originated"}), Severity::Low);
  r.add_risk("exec");
  EXPECT_EQ(request_severity(r, {}), Severity::Medium);
  EXPECT_EQ(request_severity(r, {"container-originated"}), Severity::High);
  r.add_risk("host-mount", "/srv/data");
  EXPECT_EQ(request_severity(r, {}), Severity::Medium);
  r.add_risk("host-mount", "/etc");
  EXPECT_EQ(request_severity(r, {}), Severity::High);
  EXPECT_EQ(severity_score(Severity::Critical), 99);
}

}  // namespace
}  // namespace sockwarden
