// Shared driver of the decoder fuzz targets: the input is one connection's
// client->daemon stream; it is fed whole, then again cut into writes whose
// sizes come from the input itself, with some writes turned into capture gaps
// (bytes written but not captured), under a small request budget. Invariants
// checked: no crash or sanitizer report, held memory within the bounds the
// decoders promise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "decode/stream_reassembler.h"

namespace sockwarden::fuzz {

inline void check(bool ok) {
  if (!ok) abort();
}

inline void run_stream(std::string_view in) {
  auto now = StreamReassembler::Clock::now();
  {
    StreamReassembler r;
    r.on_write(1, in, 0, 1, now);
    r.flush();
  }
  ReassemblerOptions o;
  o.request_budget = 1024;
  o.max_connections = 4;
  o.decoder_budget = 64 * 1024;  // small enough that budget eviction runs
  StreamReassembler r(o);
  size_t pos = 0, n = 0;
  uint64_t seq = 0;
  while (pos < in.size()) {
    uint8_t k = static_cast<uint8_t>(in[(pos * 131 + 7) % in.size()]);
    size_t len = std::min<size_t>(in.size() - pos, (k % 97) + 1);
    uint64_t conn = (k & 0x80) && (k & 0x40) ? 2 : 1;  // a second connection now and then
    bool gap = (n++ % 11) == 10 && (k & 1);
    if (gap) r.on_write(conn, {}, len, ++seq, now);
    else r.on_write(conn, in.substr(pos, len), 0, ++seq, now);
    // Budget per request + frame buffers, per connection, plus stream caps.
    check(r.held_bytes() <= 4 * (3 * (16384 + 9) + 1024 + Http2Decoder::kMaxStreams * (16384 + 9)));
    // The global bound holds after every write, whatever the connections hold.
    check(r.charged_bytes() <= o.decoder_budget);
    pos += len;
  }
  r.expire(now + std::chrono::hours(1));
  check(r.stats().connections == 0);
}

}  // namespace sockwarden::fuzz
