// HTTP/2 client->server stream decoding (cleartext, prior knowledge, as gRPC
// over a unix socket uses it): connection preface, frames, HPACK header blocks
// with per-connection state, DATA per stream. Each client stream becomes one
// DecodedRequest (via grpc_request) when it ends or its first gRPC message is
// complete. Memory is bounded by the request budget per stream and a cap on
// concurrently open streams.
#pragma once
#include <cstdint>
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/decoded_request.h"
#include "decode/hpack_decoder.h"

namespace sockwarden {

class Http2Decoder {
 public:
  static constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  static constexpr size_t kMaxStreams = 128;
  // Decoded header bytes held across the connection's open streams (each block is
  // also capped by HpackLimits): past it the oldest stream is evicted, reported.
  static constexpr size_t kMaxConnHeaderBytes = 256 * 1024;

  explicit Http2Decoder(size_t budget) : budget_(budget < 16384 + 9 ? 16384 + 9 : budget) {}

  void feed(std::string_view data, uint64_t origin, std::vector<DecodedRequest>& out);
  void gap(uint64_t n, std::vector<DecodedRequest>& out);
  void finish(std::vector<DecodedRequest>& out);

  bool pending_origin(uint64_t& origin) const {
    bool any = false;
    for (const auto& [id, s] : streams_)
      if (!s.emitted && (!any || s.origin < origin)) origin = s.origin, any = true;
    if (head_.size() > 0 || in_header_block_) origin = any ? std::min(origin, frame_origin_) : frame_origin_, any = true;
    return any;
  }

  bool broken() const { return broken_; }   // HPACK state lost: nothing more decodes
  size_t held_bytes() const;
  uint64_t evicted_streams() const { return evicted_streams_; }

 private:
  struct Stream {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string data;       // DATA payload so far (bounded)
    uint64_t data_bytes = 0;
    bool truncated = false;
    bool emitted = false;
    uint64_t origin = 0;
    uint64_t order = 0;     // creation order, for eviction
    size_t header_bytes = 0;  // decoded size of 'headers' (name + value + 32 each)
    bool headers_cut = false; // HPACK limits dropped or shortened headers
    bool after_gap = false;   // headers decoded after a resync (see gap())
  };
  void evict_oldest(std::vector<DecodedRequest>& out);
  DecodedRequest report(const Stream& s, bool truncated) const;
  void on_frame(std::vector<DecodedRequest>& out);
  void on_header_block(uint32_t stream_id, bool end_stream, std::vector<DecodedRequest>& out);
  void maybe_emit(uint32_t id, Stream& s, bool ended, std::vector<DecodedRequest>& out);
  void break_connection(std::vector<DecodedRequest>& out, const char* why);
  // After a gap: the next write must start with a plausible frame header.
  bool plausible_frame_header(std::string_view h) const;

  size_t budget_;
  size_t preface_seen_ = 0;
  bool broken_ = false;
  std::string head_;          // frame header being read (9 bytes)
  uint32_t len_ = 0;
  uint8_t type_ = 0, flags_ = 0;
  uint32_t stream_id_ = 0;
  std::string payload_;       // frame payload (bounded by budget)
  uint64_t payload_left_ = 0; // payload bytes still to come
  bool payload_cut_ = false;  // bytes beyond the budget or missing
  uint64_t frame_origin_ = 0;
  // HEADERS + CONTINUATION accumulate until END_HEADERS.
  std::string header_block_;
  uint32_t header_stream_ = 0;
  bool header_end_stream_ = false;
  bool in_header_block_ = false;
  // A gap that did not end inside the DATA frame it began in: the framing is
  // picked up again at the next write (clients write whole frames), and what
  // the gap held is unknown, HEADERS included, so every header block decoded
  // after it carries the anomaly "decoded-after-capture-gap".
  bool resync_ = false;
  bool after_gap_ = false;
  HpackDecoder hpack_;
  std::map<uint32_t, Stream> streams_;
  uint64_t next_order_ = 0;
  uint64_t evicted_streams_ = 0;
  size_t header_bytes_ = 0;  // sum of open streams' header_bytes
};

}  // namespace sockwarden
