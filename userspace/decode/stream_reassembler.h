// Per-connection client->daemon streams rebuilt from captured writes, each fed
// to the decoder its first bytes call for (HTTP/2 preface -> HTTP/2 + gRPC,
// else HTTP/1.x + Docker API). Writes arrive in order per connection; a write
// whose bytes were not all captured (cap, unreadable) is a gap the decoders
// either skip exactly (body of known length) or resync after.
//
// The kernel does not report connection close, so state is freed by idle expiry
// and bounded by an LRU cap on connections (evictions counted): no leak over
// millions of connections. Memory per connection is bounded by the request budget.
#pragma once
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/decoded_request.h"
#include "decode/http1_parser.h"
#include "decode/http2_frames.h"

namespace sockwarden {

struct ReassemblerOptions {
  size_t request_budget = 64 * 1024;  // --request-budget
  size_t max_connections = 4096;
  // --decoder-budget: bytes all connections' decoding state may hold together.
  // Past it the least recently written connections are dropped (their requests
  // in progress reported with "decoder-budget-evicted", counted in stats).
  size_t decoder_budget = 64u << 20;
  std::chrono::seconds idle_timeout{300};
};

struct ReassemblerStats {
  uint64_t connections = 0;  // live now
  uint64_t evicted = 0;      // dropped by the LRU cap
  uint64_t budget_evicted = 0;  // dropped to keep held bytes under decoder_budget
  uint64_t expired = 0;      // dropped after idling
  uint64_t requests = 0;
};

class StreamReassembler {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StreamReassembler(ReassemblerOptions o = {}) : opts_(o) {}

  // One write on connection 'conn': its captured bytes, then 'missing' bytes
  // that were written but not captured. 'origin' tags requests starting here.
  // Returns the requests this write completed (decoded: operation, summary, risk).
  std::vector<DecodedRequest> on_write(uint64_t conn, std::string_view data, uint64_t missing, uint64_t origin,
                                       Clock::time_point now);
  std::vector<DecodedRequest> expire(Clock::time_point now);
  std::vector<DecodedRequest> flush();  // everything in progress, then forget all

  bool tracks(uint64_t conn) const { return conns_.count(conn) != 0; }
  // Origin of the oldest request still in progress on conn (false: none).
  bool pending_origin(uint64_t conn, uint64_t& origin) const;
  ReassemblerStats stats() const;
  size_t held_bytes() const;  // buffered bytes, walking every connection (tests)
  // What decoding state is charged against decoder_budget (buffers plus the fixed
  // cost per connection below); kept up to date on every write, never above the budget.
  size_t charged_bytes() const { return total_held_; }
  // What one connection is charged beyond its buffers: maps, parser objects and,
  // for HTTP/2, the 4 KiB HPACK dynamic table with nghttp2's bookkeeping.
  static constexpr size_t kConnFixedBytes = 1024, kHttp2FixedBytes = 16 * 1024;

 private:
  enum class Proto { Unknown, Http1, Http2 };
  struct Conn {
    Proto proto = Proto::Unknown;
    std::string sniff;  // first bytes until the protocol is known (< preface length)
    std::unique_ptr<Http1Parser> h1;
    std::unique_ptr<Http2Decoder> h2;
    Clock::time_point last;
    std::list<uint64_t>::iterator lru;
    size_t held = 0;  // bytes charged for this connection in total_held_
  };
  static size_t conn_bytes(const Conn& c);
  void charge(uint64_t id, std::vector<DecodedRequest>& out);
  void drop(std::unordered_map<uint64_t, Conn>::iterator it, std::vector<DecodedRequest>& out, const char* why);
  void finish(uint64_t id, Conn& c, std::vector<DecodedRequest>& out, const char* why);
  void decode(std::vector<DecodedRequest>& reqs, size_t from, uint64_t conn);

  ReassemblerOptions opts_;
  std::unordered_map<uint64_t, Conn> conns_;
  std::list<uint64_t> lru_;  // most recent first
  ReassemblerStats stats_;
  size_t total_held_ = 0;
};

}  // namespace sockwarden
