// Decoder memory bounds against hostile input (issue 20): HPACK header lists
// capped while decoding, the global decoder budget evicting least recently
// used connections (reported), per-request Content-Length / Transfer-Encoding
// values capped, and JSON nesting refused before it is copied.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>

#include "decode/json_depth.h"
#include "decode_test_util.h"

namespace sockwarden {
namespace {
using namespace test;

const std::string kPreface(Http2Decoder::kPreface);

bool has_anomaly(const DecodedRequest& r, const std::string& a) {
  return std::find(r.anomalies.begin(), r.anomalies.end(), a) != r.anomalies.end();
}

std::vector<std::pair<std::string, std::string>> bomb_headers(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> h{{":method", "POST"}, {":path", path}};
  for (int i = 0; i < 256; i++) h.emplace_back("x-bomb", std::string(3000, 'B'));
  return h;
}

TEST(DecodeHostileBounds, HpackIndexedRepeatsAreCappedWhileDecoding) {
  // The bomb (3,000 bytes here: nghttp2's encoder indexes nothing larger; the
  // integration test sends 4,000 by hand): a value indexed once, then repeated 256 times
  // (one byte each) on 128 streams left open: ~128 MiB decoded, uncapped.
  HpackEncoder enc;
  std::string s = kPreface;
  for (uint32_t id = 1; id <= 2 * 128; id += 2) s += h2_frame(1, 0x4, id, enc.encode(bomb_headers("/a.B/C")));
  EXPECT_LT(s.size(), 64u * 1024) << "the bomb is small on the wire";
  ReassemblerOptions o;
  StreamReassembler ra(o);
  auto now = StreamReassembler::Clock::now();
  auto r = ra.on_write(1, s, 0, 1, now);
  EXPECT_LE(ra.held_bytes(), Http2Decoder::kMaxConnHeaderBytes + 64 * 1024);
  // Every stream that had to go is reported, with the cap that hit it.
  for (const auto& q : r) EXPECT_TRUE(has_anomaly(q, "stream-evicted"));
  auto last = ra.on_write(1, h2_frame(0, 0x1, 255, grpc_message("")), 0, 2, now);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].path, "/a.B/C");
  EXPECT_TRUE(has_anomaly(last[0], "header-list-too-large"));
}

TEST(DecodeHostileBounds, JunkBeforeThePathCannotHideIt) {
  HpackEncoder enc;
  std::vector<std::pair<std::string, std::string>> h;
  for (int i = 0; i < 8; i++) h.emplace_back("x-junk", std::string(4000, 'J'));
  h.emplace_back(":path", "/runtime.v1.RuntimeService/CreateContainer");
  h.emplace_back("user-agent", "evil/1.0");
  for (int i = 0; i < 300; i++) h.emplace_back(":path", "/decoy");  // repeats stay capped
  std::string s = kPreface + h2_frame(1, 0x5, 1, enc.encode(h));
  auto r = feed_whole(s);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/runtime.v1.RuntimeService/CreateContainer");
  EXPECT_EQ(r[0].user_agent, "evil/1.0");
  EXPECT_TRUE(has_anomaly(r[0], "header-list-too-large"));
}

TEST(DecodeHostileBounds, DecoderBudgetEvictsLeastRecentlyUsedAndReports) {
  ReassemblerOptions o;
  o.decoder_budget = 512 * 1024;
  StreamReassembler ra(o);
  auto now = StreamReassembler::Clock::now();
  // Requests in progress, each holding ~60 KiB of body: 20 of them are 1.2 MiB.
  std::string head = "POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 100000\r\n\r\n";
  std::vector<DecodedRequest> evicted;
  for (uint64_t c = 1; c <= 20; c++) {
    for (auto& q : ra.on_write(c, head + std::string(60000, '{'), 0, c, now)) evicted.push_back(std::move(q));
    EXPECT_LE(ra.charged_bytes(), o.decoder_budget);
  }
  EXPECT_GT(ra.stats().budget_evicted, 0u);
  EXPECT_EQ(ra.stats().budget_evicted, evicted.size());
  ASSERT_FALSE(evicted.empty());
  EXPECT_EQ(evicted[0].connection, 1u) << "the least recently written goes first";
  for (const auto& q : evicted) EXPECT_TRUE(has_anomaly(q, "decoder-budget-evicted"));
  EXPECT_TRUE(ra.tracks(20)) << "the connection just written stays";
  EXPECT_FALSE(ra.tracks(1));
  EXPECT_EQ(ra.charged_bytes(), [&] {
    // The running total matches a recount (nothing leaks from the accounting).
    size_t n = ra.held_bytes();
    return n + ra.stats().connections * StreamReassembler::kConnFixedBytes;
  }());
}

TEST(DecodeHostileBounds, LengthAndEncodingValuesKeptPerRequestAreCapped) {
  std::string head = "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\n";
  std::string codings;
  for (int i = 0; i < 1000; i++) codings += "x,";
  for (int i = 0; i < 1000; i++)
    head += "Transfer-Encoding: " + codings + "\r\nContent-Length: " + std::to_string(1000000 + i) + "\r\n";
  ReassemblerOptions o;
  o.request_budget = 4096;
  StreamReassembler ra(o);
  auto now = StreamReassembler::Clock::now();
  size_t before = mallinfo2().uordblks;
  for (size_t off = 0; off < head.size(); off += 16384) ra.on_write(1, head.substr(off, 16384), 0, 1, now);
  size_t grown = mallinfo2().uordblks - std::min(before, mallinfo2().uordblks);
  // A million codings kept as strings were over 32 MiB; capped, a few KiB.
  EXPECT_LT(grown, 1u << 20);
  auto r = ra.on_write(1, "\r\n", 0, 2, now);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(has_anomaly(r[0], "unsupported-transfer-encoding"));
  EXPECT_TRUE(has_anomaly(r[0], "conflicting-content-length"));
}

TEST(DecodeHostileBounds, ChunkedStillWinsAndLongLengthsStayInvalid) {
  auto r = feed_whole("POST /x HTTP/1.1\r\nContent-Length: " + std::string(40, '9') +
                      "\r\n\r\nGET /_ping HTTP/1.1\r\n\r\n");
  ASSERT_FALSE(r.empty());
  EXPECT_TRUE(has_anomaly(r[0], "bad-content-length"));
  auto c = feed_whole("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].chunked);
  EXPECT_EQ(c[0].body_bytes, 3u);
}

TEST(DecodeHostileBounds, JsonDepthPrescan) {
  EXPECT_TRUE(json_depth_within("{\"a\":[1,{\"b\":[]}]}", 4));
  EXPECT_FALSE(json_depth_within("{\"a\":[1,{\"b\":[]}]}", 3));
  EXPECT_TRUE(json_depth_within("{\"a\":\"[[[[[[[[\\\"[[[[\"}", 1)) << "brackets in strings do not count";
  EXPECT_FALSE(json_depth_within(std::string(100, '['), 64));
  EXPECT_TRUE(json_depth_within(std::string(64, '[') + std::string(64, ']'), 64));
}

TEST(DecodeHostileBounds, DeeplyNestedBodyIsRefusedNotCopied) {
  // A million levels: copying it into the summary recursed once per level.
  std::string body = "{\"Image\":\"alpine\",\"Cmd\":" + std::string(1000000, '[') + std::string(1000000, ']') + "}";
  ReassemblerOptions o;
  o.request_budget = 16u << 20;
  StreamReassembler ra(o);
  auto r = ra.on_write(1,
                       "POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\n\r\n" + body,
                       0, 1, StreamReassembler::Clock::now());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].operation, "container-create");
  EXPECT_TRUE(r[0].unparsed_body);
  EXPECT_TRUE(has_anomaly(r[0], "json-too-deep"));
  EXPECT_FALSE(r[0].summary.contains("command"));
}

}  // namespace
}  // namespace sockwarden
