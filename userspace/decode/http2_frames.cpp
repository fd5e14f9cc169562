#include "decode/http2_frames.h"

#include <algorithm>

#include "decode/grpc_request.h"

namespace sockwarden {
namespace {
constexpr uint8_t kData = 0x0, kHeaders = 0x1, kRstStream = 0x3, kContinuation = 0x9;
constexpr uint8_t kEndStream = 0x1, kEndHeaders = 0x4, kPadded = 0x8, kPriority = 0x20;

uint32_t be32(std::string_view s) {
  return (uint32_t(uint8_t(s[0])) << 24) | (uint32_t(uint8_t(s[1])) << 16) | (uint32_t(uint8_t(s[2])) << 8) |
         uint32_t(uint8_t(s[3]));
}
}  // namespace

size_t Http2Decoder::held_bytes() const {
  size_t n = payload_.size() + header_block_.size() + header_bytes_;
  for (const auto& [id, s] : streams_) n += s.data.size();
  return n;
}

DecodedRequest Http2Decoder::report(const Stream& s, bool truncated) const {
  auto r = grpc_request_from_stream({s.headers, s.data, s.data_bytes, truncated, s.origin});
  if (s.headers_cut) r.add_anomaly("header-list-too-large");
  if (s.after_gap) r.add_anomaly("decoded-after-capture-gap");
  return r;
}

void Http2Decoder::evict_oldest(std::vector<DecodedRequest>& out) {
  // Bound memory: the oldest open stream goes (reported if it never was).
  auto oldest = std::min_element(streams_.begin(), streams_.end(),
                                 [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
  if (oldest == streams_.end()) return;
  if (!oldest->second.emitted) {
    auto r = report(oldest->second, true);
    r.add_anomaly("stream-evicted");
    out.push_back(std::move(r));
  }
  header_bytes_ -= oldest->second.header_bytes;
  streams_.erase(oldest);
  evicted_streams_++;
}

void Http2Decoder::break_connection(std::vector<DecodedRequest>& out, const char* why) {
  if (broken_) return;
  broken_ = true;
  for (auto& [id, s] : streams_) {
    if (s.emitted) continue;
    s.truncated = true;
    auto r = report(s, true);
    r.add_anomaly(why);
    out.push_back(std::move(r));
  }
  streams_.clear();
  header_bytes_ = 0;
  payload_.clear();
  header_block_.clear();
}

void Http2Decoder::maybe_emit(uint32_t id, Stream& s, bool ended, std::vector<DecodedRequest>& out) {
  if (!s.emitted) {
    bool msg_complete = false;
    if (s.data.size() >= 5) msg_complete = 5 + uint64_t(be32(std::string_view(s.data).substr(1, 4))) <= s.data.size();
    bool full = s.data.size() >= budget_;
    if (ended || msg_complete || full) {
      if (full && !msg_complete) s.truncated = true;
      out.push_back(report(s, s.truncated));
      s.emitted = true;
      s.data.clear();
      s.data.shrink_to_fit();
      // Nothing reads an emitted stream's headers again: free them now.
      header_bytes_ -= s.header_bytes;
      s.header_bytes = 0;
      std::vector<std::pair<std::string, std::string>>().swap(s.headers);
    }
  }
  if (ended) {
    header_bytes_ -= s.header_bytes;
    streams_.erase(id);
  }
}

void Http2Decoder::on_header_block(uint32_t id, bool end_stream, std::vector<DecodedRequest>& out) {
  std::vector<std::pair<std::string, std::string>> headers;
  bool cut = false;
  bool ok = hpack_.decode(header_block_, headers, &cut);
  header_block_.clear();
  if (!ok) {
    break_connection(out, "hpack-error");
    return;
  }
  auto it = streams_.find(id);
  if (it == streams_.end()) {
    size_t bytes = 0;
    for (const auto& [n, v] : headers) bytes += n.size() + v.size() + 32;
    if (streams_.size() >= kMaxStreams) evict_oldest(out);
    while (!streams_.empty() && header_bytes_ + bytes > kMaxConnHeaderBytes) evict_oldest(out);
    Stream s;
    s.headers = std::move(headers);
    s.header_bytes = bytes;
    s.headers_cut = cut;
    s.after_gap = after_gap_;
    header_bytes_ += bytes;
    s.origin = frame_origin_;
    s.order = next_order_++;
    it = streams_.emplace(id, std::move(s)).first;
  }
  // A second header block on a stream is trailers: nothing to add for a request.
  maybe_emit(id, it->second, end_stream, out);
}

void Http2Decoder::on_frame(std::vector<DecodedRequest>& out) {
  std::string_view p = payload_;
  if (in_header_block_ && type_ != kContinuation) {
    break_connection(out, "protocol-error");
    return;
  }
  switch (type_) {
    case kData: {
      auto it = streams_.find(stream_id_);
      if (it == streams_.end()) return;
      Stream& s = it->second;
      uint64_t wire = len_;
      if (flags_ & kPadded) {
        if (p.empty()) return;
        size_t pad = uint8_t(p[0]);
        p.remove_prefix(1);
        wire = wire > pad + 1 ? wire - pad - 1 : 0;
        p = p.substr(0, p.size() > pad ? p.size() - pad : 0);
      }
      if (payload_cut_) s.truncated = true;
      s.data_bytes += wire;
      if (!s.emitted && s.data.size() < budget_) s.data.append(p.substr(0, budget_ - s.data.size()));
      maybe_emit(stream_id_, s, flags_ & kEndStream, out);
      return;
    }
    case kHeaders: {
      if (payload_cut_) {
        break_connection(out, "header-block-too-large");
        return;
      }
      size_t pad = 0;
      if (flags_ & kPadded) {
        if (p.empty()) return break_connection(out, "protocol-error");
        pad = uint8_t(p[0]);
        p.remove_prefix(1);
      }
      if (flags_ & kPriority) {
        if (p.size() < 5) return break_connection(out, "protocol-error");
        p.remove_prefix(5);
      }
      if (pad > p.size()) return break_connection(out, "protocol-error");
      p.remove_suffix(pad);
      header_block_.assign(p);
      header_stream_ = stream_id_;
      header_end_stream_ = flags_ & kEndStream;
      if (flags_ & kEndHeaders) on_header_block(stream_id_, header_end_stream_, out);
      else in_header_block_ = true;
      return;
    }
    case kContinuation:
      if (!in_header_block_ || stream_id_ != header_stream_ || payload_cut_ ||
          header_block_.size() + p.size() > budget_)
        return break_connection(out, "protocol-error");
      header_block_.append(p);
      if (flags_ & kEndHeaders) {
        in_header_block_ = false;
        on_header_block(header_stream_, header_end_stream_, out);
      }
      return;
    case kRstStream: {
      auto it = streams_.find(stream_id_);
      if (it != streams_.end()) {
        it->second.truncated = it->second.truncated || !it->second.emitted;
        maybe_emit(stream_id_, it->second, true, out);
      }
      return;
    }
    default:  // SETTINGS, PING, WINDOW_UPDATE, PRIORITY, GOAWAY, PUSH_PROMISE: nothing to report
      return;
  }
}

bool Http2Decoder::plausible_frame_header(std::string_view h) const {
  const uint32_t len = (uint32_t(uint8_t(h[0])) << 16) | (uint32_t(uint8_t(h[1])) << 8) | uint32_t(uint8_t(h[2]));
  const uint8_t type = uint8_t(h[3]);
  const uint32_t raw_id = be32(h.substr(5, 4));
  const uint32_t id = raw_id & 0x7fffffffu;
  if (raw_id != id || type > 0x9) return false;  // the reserved bit is never set
  switch (type) {
    case kData:
    case kHeaders:
    case kContinuation:
      return id % 2 == 1;  // a client's streams are odd
    case kRstStream:
      return id % 2 == 1 && len == 4;
    case 0x2:  // PRIORITY
      return id != 0 && len == 5;
    case 0x4:  // SETTINGS
      return id == 0 && len % 6 == 0;
    case 0x6:  // PING
      return id == 0 && len == 8;
    case 0x7:  // GOAWAY
      return id == 0 && len >= 8;
    case 0x8:  // WINDOW_UPDATE
      return len == 4;
    default:  // PUSH_PROMISE: servers only
      return false;
  }
}

void Http2Decoder::feed(std::string_view data, uint64_t origin, std::vector<DecodedRequest>& out) {
  while (!broken_ && preface_seen_ < kPreface.size() && !data.empty()) {
    if (data.front() != kPreface[preface_seen_]) return break_connection(out, "bad-preface");
    preface_seen_++;
    data.remove_prefix(1);
  }
  if (!broken_ && resync_ && !data.empty()) {
    resync_ = false;
    if (data.size() < 9 || !plausible_frame_header(data.substr(0, 9))) return break_connection(out, "capture-gap");
    after_gap_ = true;
  }
  while (!broken_ && !data.empty()) {
    if (head_.size() < 9) {
      size_t n = std::min(9 - head_.size(), data.size());
      head_.append(data.substr(0, n));
      data.remove_prefix(n);
      if (head_.size() < 9) return;
      len_ = (uint32_t(uint8_t(head_[0])) << 16) | (uint32_t(uint8_t(head_[1])) << 8) | uint32_t(uint8_t(head_[2]));
      type_ = uint8_t(head_[3]);
      flags_ = uint8_t(head_[4]);
      stream_id_ = be32(std::string_view(head_).substr(5, 4)) & 0x7fffffffu;
      payload_.clear();
      payload_left_ = len_;
      payload_cut_ = false;
      frame_origin_ = origin;
    } else {
      size_t n = static_cast<size_t>(std::min<uint64_t>(payload_left_, data.size()));
      size_t room = budget_ > payload_.size() ? budget_ - payload_.size() : 0;
      if (n > room) payload_cut_ = true;
      payload_.append(data.substr(0, std::min(n, room)));
      payload_left_ -= n;
      data.remove_prefix(n);
    }
    if (head_.size() == 9 && payload_left_ == 0) {
      on_frame(out);
      head_.clear();
      payload_.clear();
    }
  }
}

void Http2Decoder::gap(uint64_t n, std::vector<DecodedRequest>& out) {
  if (broken_ || n == 0) return;
  // Only DATA payload of known length can be skipped; anything else loses the
  // framing or the HPACK table for good.
  if (preface_seen_ == kPreface.size() && head_.size() == 9 && type_ == kData && n <= payload_left_) {
    payload_cut_ = true;
    size_t room = budget_ > payload_.size() ? budget_ - payload_.size() : 0;
    payload_.append(static_cast<size_t>(std::min<uint64_t>(n, room)), '\0');  // keeps offsets right
    payload_left_ -= n;
    if (payload_left_ == 0) {
      on_frame(out);
      head_.clear();
      payload_.clear();
    }
    return;
  }
  // The gap began at a frame boundary or inside a DATA frame and went on past it.
  // A header block cut by it leaves the HPACK state unknown: nothing decodes after.
  if (preface_seen_ == kPreface.size() && !in_header_block_ && (head_.empty() || (head_.size() == 9 && type_ == kData))) {
    if (!head_.empty()) {  // the DATA frame's captured start still reaches its stream
      payload_cut_ = true;
      on_frame(out);
    }
    // Streams that may have lost DATA to the gap are reported now, cut.
    for (auto& [id, st] : streams_) {
      if (st.emitted) continue;
      st.truncated = true;
      auto r = report(st, true);
      r.add_anomaly("capture-gap");
      out.push_back(std::move(r));
      st.emitted = true;
      st.data.clear();
      header_bytes_ -= st.header_bytes;
      st.header_bytes = 0;
      std::vector<std::pair<std::string, std::string>>().swap(st.headers);
    }
    head_.clear();
    payload_.clear();
    payload_left_ = 0;
    resync_ = true;
    return;
  }
  break_connection(out, "capture-gap");
}

void Http2Decoder::finish(std::vector<DecodedRequest>& out) {
  for (auto& [id, s] : streams_) {
    if (s.emitted) continue;
    auto r = report(s, true);
    r.add_anomaly("incomplete-at-close");
    out.push_back(std::move(r));
  }
  streams_.clear();
  header_bytes_ = 0;
}

}  // namespace sockwarden
