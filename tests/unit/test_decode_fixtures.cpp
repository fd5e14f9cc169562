// Decoder tests over byte streams recorded off the real docker CLI talking to a
// real dockerd (scripts/record-fixtures.sh -> tests/fixtures/docker/).
#include <gtest/gtest.h>

#include "decode/risk_flags.h"
#include "decode/severity.h"
#include "decode_test_util.h"

namespace sockwarden {
namespace {
using test::feed_split;
using test::feed_whole;
using test::read_fixture;

const DecodedRequest* find_op(const std::vector<DecodedRequest>& v, const std::string& op) {
  for (const auto& r : v)
    if (r.operation == op) return &r;
  return nullptr;
}

bool has_risk(const DecodedRequest& r, const std::string& name, const std::string& detail) {
  for (const auto& f : r.risk)
    if (f.name == name && f.detail == detail) return true;
  return false;
}

// What a test compares: the decoded meaning, independent of how writes were cut.
std::string fingerprint(const std::vector<DecodedRequest>& v) {
  std::string s;
  for (const auto& r : v) {
    s += r.method + " " + r.path + "?" + r.query + " v" + r.api_version + " op=" + r.operation +
         " body=" + std::to_string(r.body_bytes) + (r.truncated ? " T" : "") + (r.unparsed_body ? " U" : "") + " " +
         r.summary.dump() + " [";
    for (const auto& f : r.risk) s += f.name + ":" + f.detail + ",";
    for (const auto& a : r.anomalies) s += "!" + a + ",";
    s += "]\n";
  }
  return s;
}

TEST(DecodeFixtures, RunPrivilegedCreate) {
  auto reqs = feed_whole(read_fixture("docker/run-privileged/conn-01.c2s"));
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "HEAD");
  EXPECT_EQ(reqs[0].path, "/_ping");
  EXPECT_EQ(reqs[0].operation, "ping");
  const auto* c = find_op(reqs, "container-create");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->method, "POST");
  EXPECT_EQ(c->path, "/containers/create");
  EXPECT_EQ(c->api_version, "1.41");
  EXPECT_EQ(c->user_agent, "Docker-Client/28.2.2 (linux)");
  ASSERT_TRUE(c->content_length);
  EXPECT_EQ(*c->content_length, c->body_bytes);
  EXPECT_FALSE(c->truncated);
  EXPECT_FALSE(c->unparsed_body);
  EXPECT_TRUE(c->has_risk("privileged"));
  EXPECT_TRUE(has_risk(*c, "host-mount", "/"));
  EXPECT_EQ(c->summary["image"], "local/busybox:1");
  EXPECT_EQ(c->summary["command"], Json::array({"true"}));
  EXPECT_EQ(request_severity(*c, {"container-originated", "unexpected-caller"}), Severity::Critical);
  EXPECT_EQ(request_severity(*c, {}), Severity::High);
}

TEST(DecodeFixtures, RunAttachIsHijacked) {
  std::string s = read_fixture("docker/run-privileged/conn-02.c2s");
  ASSERT_FALSE(s.empty());
  // After attach the connection is a raw stream: a request-looking line is stdin, not a request.
  auto reqs = feed_whole(s + "POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].operation, "container-attach");
}

TEST(DecodeFixtures, ExecCreateAndStart) {
  auto reqs = feed_whole(read_fixture("docker/exec/conn-01.c2s"));
  const auto* inspect = find_op(reqs, "container-inspect");
  ASSERT_NE(inspect, nullptr);
  EXPECT_TRUE(inspect->has_risk("recon"));
  const auto* e = find_op(reqs, "exec-create");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->has_risk("exec"));
  EXPECT_EQ(e->summary["container"], "victim");
  EXPECT_EQ(e->summary["user"], "0");
  EXPECT_EQ(e->summary["command"], Json::array({"id"}));
  EXPECT_EQ(e->summary["env"], Json::array({"SECRET_TOKEN"}));
  EXPECT_EQ(fingerprint(reqs).find("hunter2"), std::string::npos) << "env values must never leave the decoder";
  auto start = feed_whole(read_fixture("docker/exec/conn-02.c2s") + "\x01\x00\x00\x00garbage stdin");
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].operation, "exec-start");
  EXPECT_TRUE(start[0].has_risk("exec"));
}

TEST(DecodeFixtures, CpIsChunkedArchiveUpload) {
  std::string s = read_fixture("docker/cp/conn-01.c2s");
  auto reqs = feed_whole(s);
  const auto* up = find_op(reqs, "archive-upload");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->method, "PUT");
  EXPECT_TRUE(up->chunked);
  EXPECT_FALSE(up->unparsed_body);
  EXPECT_TRUE(has_risk(*up, "archive-upload", "/tmp"));
  EXPECT_GT(up->body_bytes, 1024u);  // a tar archive: 512-byte blocks
  EXPECT_EQ(up->body_bytes % 512, 0u);
}

TEST(DecodeFixtures, PullRefusedStillDecodesAndHidesAuth) {
  auto reqs = feed_whole(read_fixture("docker/pull/conn-01.c2s"));
  const auto* p = find_op(reqs, "image-pull");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->summary["image"], "127.0.0.1:5999/nothing/here:1");
  EXPECT_TRUE(has_risk(*p, "image-pull", "127.0.0.1:5999/nothing/here:1"));
  EXPECT_EQ(fingerprint(reqs).find("e30="), std::string::npos);
}

// Every recorded stream decodes identically however the writes were cut.
TEST(DecodeFixtures, SplitAtEveryByteOffsetAndByteByByte) {
  for (const char* f : {"docker/run-privileged/conn-01.c2s", "docker/exec/conn-01.c2s", "docker/cp/conn-01.c2s",
                        "docker/pull/conn-01.c2s", "docker/exec/conn-02.c2s"}) {
    std::string s = read_fixture(f);
    ASSERT_FALSE(s.empty()) << f;
    std::string want = fingerprint(feed_whole(s));
    for (size_t cut = 1; cut < s.size(); cut++) ASSERT_EQ(fingerprint(feed_split(s, {cut})), want) << f << " cut " << cut;
    std::vector<size_t> every;
    for (size_t i = 1; i < s.size(); i++) every.push_back(i);
    EXPECT_EQ(fingerprint(feed_split(s, every)), want) << f << " byte by byte";
  }
}

// All recorded client streams pipelined into one write decode to the same requests.
TEST(DecodeFixtures, Pipelined) {
  std::string a = read_fixture("docker/pull/conn-01.c2s"), b = read_fixture("docker/run-privileged/conn-01.c2s");
  auto reqs = feed_whole(a + b);
  EXPECT_EQ(fingerprint(reqs), fingerprint(feed_whole(a)) + fingerprint(feed_whole(b)));
}

}  // namespace
}  // namespace sockwarden
