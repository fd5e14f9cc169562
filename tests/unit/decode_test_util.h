// Helpers shared by the decoder unit tests: fixture loading, feeding a stream
// split at given offsets, a tiny protobuf encoder, HTTP/2 frame builders.
#pragma once
#include <nghttp2/nghttp2.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "decode/json_ci.h"
#include "decode/stream_reassembler.h"

namespace sockwarden::test {

inline std::string read_fixture(const std::string& rel) {
  std::ifstream f(std::string(SW_SOURCE_DIR) + "/tests/fixtures/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Feeds 'stream' as writes cut at 'cuts' (ascending offsets) on one connection.
inline std::vector<DecodedRequest> feed_split(const std::string& stream, const std::vector<size_t>& cuts,
                                              size_t budget = 64 * 1024) {
  ReassemblerOptions o;
  o.request_budget = budget;
  StreamReassembler r(o);
  std::vector<DecodedRequest> out;
  size_t prev = 0;
  auto now = StreamReassembler::Clock::now();
  uint64_t origin = 1;
  auto push = [&](std::vector<DecodedRequest>&& v) {
    for (auto& x : v) out.push_back(std::move(x));
  };
  for (size_t c : cuts) {
    push(r.on_write(7, std::string_view(stream).substr(prev, c - prev), 0, origin++, now));
    prev = c;
  }
  push(r.on_write(7, std::string_view(stream).substr(prev), 0, origin++, now));
  push(r.flush());
  return out;
}

inline std::vector<DecodedRequest> feed_whole(const std::string& stream) { return feed_split(stream, {}); }

// protobuf encoding
inline std::string pb_varint_bytes(uint64_t v) {
  std::string out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out += static_cast<char>(b);
  } while (v);
  return out;
}
inline std::string pb_len(uint32_t field, const std::string& bytes) {
  return pb_varint_bytes((uint64_t(field) << 3) | 2) + pb_varint_bytes(bytes.size()) + bytes;
}
inline std::string pb_int(uint32_t field, uint64_t v) { return pb_varint_bytes(uint64_t(field) << 3) + pb_varint_bytes(v); }

// HTTP/2
inline std::string h2_frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  std::string f;
  f += static_cast<char>((payload.size() >> 16) & 0xff);
  f += static_cast<char>((payload.size() >> 8) & 0xff);
  f += static_cast<char>(payload.size() & 0xff);
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  f += static_cast<char>((stream >> 24) & 0x7f);
  f += static_cast<char>((stream >> 16) & 0xff);
  f += static_cast<char>((stream >> 8) & 0xff);
  f += static_cast<char>(stream & 0xff);
  return f + payload;
}

class HpackEncoder {
 public:
  HpackEncoder() { nghttp2_hd_deflate_new(&d_, 4096); }
  ~HpackEncoder() { nghttp2_hd_deflate_del(d_); }
  std::string encode(const std::vector<std::pair<std::string, std::string>>& headers) {
    std::vector<nghttp2_nv> nva;
    for (const auto& [k, v] : headers)
      nva.push_back({(uint8_t*)k.data(), (uint8_t*)v.data(), k.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
    std::string out(nghttp2_hd_deflate_bound(d_, nva.data(), nva.size()), '\0');
    auto n = nghttp2_hd_deflate_hd(d_, (uint8_t*)out.data(), out.size(), nva.data(), nva.size());
    out.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return out;
  }

 private:
  nghttp2_hd_deflater* d_ = nullptr;
};

inline std::string grpc_message(const std::string& pb) {
  std::string m(1, '\0');
  uint32_t n = static_cast<uint32_t>(pb.size());
  m += static_cast<char>(n >> 24);
  m += static_cast<char>((n >> 16) & 0xff);
  m += static_cast<char>((n >> 8) & 0xff);
  m += static_cast<char>(n & 0xff);
  return m + pb;
}

// One gRPC unary call as the client writes it (HEADERS, then DATA with END_STREAM).
inline std::string grpc_call(HpackEncoder& enc, uint32_t stream, const std::string& path, const std::string& pb,
                             const std::string& ns = "") {
  std::vector<std::pair<std::string, std::string>> h{{":method", "POST"}, {":scheme", "http"}, {":path", path},
                                                     {":authority", "localhost"}, {"content-type", "application/grpc"},
                                                     {"user-agent", "grpc-go/1.59.0"}};
  if (!ns.empty()) h.emplace_back("containerd-namespace", ns);
  return h2_frame(1, 0x4, stream, enc.encode(h)) + h2_frame(0, 0x1, stream, grpc_message(pb));
}

}  // namespace sockwarden::test
