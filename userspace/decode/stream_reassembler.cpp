#include "decode/stream_reassembler.h"

#include "decode/docker_api_decoder.h"

namespace sockwarden {

void StreamReassembler::decode(std::vector<DecodedRequest>& reqs, size_t from, uint64_t conn) {
  for (size_t i = from; i < reqs.size(); i++) {
    reqs[i].connection = conn;
    if (reqs[i].protocol != "http/2") decode_docker_request(reqs[i]);
    stats_.requests++;
  }
}

void StreamReassembler::finish(uint64_t id, Conn& c, std::vector<DecodedRequest>& out, const char* why) {
  size_t from = out.size();
  if (c.h1) c.h1->finish(out);
  if (c.h2) c.h2->finish(out);
  for (size_t i = from; i < out.size(); i++) out[i].add_anomaly(why);
  decode(out, from, id);
}

size_t StreamReassembler::conn_bytes(const Conn& c) {
  size_t n = kConnFixedBytes + c.sniff.size();
  if (c.h1) n += c.h1->held_bytes();
  if (c.h2) n += kHttp2FixedBytes + c.h2->held_bytes();
  return n;
}

void StreamReassembler::drop(std::unordered_map<uint64_t, Conn>::iterator it, std::vector<DecodedRequest>& out,
                             const char* why) {
  if (why) finish(it->first, it->second, out, why);
  total_held_ -= it->second.held;
  lru_.erase(it->second.lru);
  conns_.erase(it);
}

std::vector<DecodedRequest> StreamReassembler::on_write(uint64_t id, std::string_view data, uint64_t missing,
                                                        uint64_t origin, Clock::time_point now) {
  std::vector<DecodedRequest> out;
  auto it = conns_.find(id);
  if (it == conns_.end()) {
    if (conns_.size() >= opts_.max_connections && !lru_.empty()) {
      drop(conns_.find(lru_.back()), out, "connection-evicted");
      stats_.evicted++;
    }
    lru_.push_front(id);
    it = conns_.emplace(id, Conn{}).first;
    it->second.lru = lru_.begin();
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Conn& c = it->second;
  c.last = now;
  size_t from = out.size();

  if (c.proto == Proto::Unknown && c.sniff.empty() && data.empty()) {
    // A first write with no captured byte says nothing about the protocol: the
    // stream is joined mid-way, as for a connection older than the agent.
    if (missing == 0) {
      charge(id, out);
      return out;
    }
    c.proto = Proto::Http1;
    c.h1 = std::make_unique<Http1Parser>(opts_.request_budget);
    c.h1->start_lost();
  }
  if (c.proto == Proto::Unknown) {
    constexpr std::string_view kPreface = Http2Decoder::kPreface;
    std::string candidate = c.sniff + std::string(data.substr(0, kPreface.size()));
    size_t n = std::min(candidate.size(), kPreface.size());
    if (candidate.compare(0, n, kPreface, 0, n) == 0 && n < kPreface.size() && missing == 0) {
      c.sniff = candidate;  // could still be the preface: wait for more
      charge(id, out);
      return out;
    }
    if (candidate.compare(0, n, kPreface, 0, n) == 0) {
      c.proto = Proto::Http2;
      c.h2 = std::make_unique<Http2Decoder>(opts_.request_budget);
    } else {
      c.proto = Proto::Http1;
      c.h1 = std::make_unique<Http1Parser>(opts_.request_budget);
      // A stream first seen mid-way (older than the agent) is not parsed until a request starts.
      if (c.sniff.empty() && !Http1Parser::plausible_request_start(data, true)) c.h1->start_lost();
    }
    std::string held = std::move(c.sniff);
    c.sniff.clear();
    if (!held.empty()) {
      if (c.h2) c.h2->feed(held, origin, out);
      else c.h1->feed(held, origin, out);
    }
  }
  if (c.h2) {
    c.h2->feed(data, origin, out);
    c.h2->gap(missing, out);
  } else if (c.h1) {
    c.h1->feed(data, origin, out);
    c.h1->gap(missing, out);
  }
  decode(out, from, id);
  charge(id, out);
  return out;
}

void StreamReassembler::charge(uint64_t id, std::vector<DecodedRequest>& out) {
  auto it = conns_.find(id);
  total_held_ -= it->second.held;
  it->second.held = conn_bytes(it->second);
  total_held_ += it->second.held;
  // The global bound: a hostile client can open thousands of connections, each
  // within its own caps; the least recently written go first (this one last).
  while (total_held_ > opts_.decoder_budget && !lru_.empty()) {
    drop(conns_.find(lru_.back()), out, "decoder-budget-evicted");
    stats_.budget_evicted++;
  }
}

std::vector<DecodedRequest> StreamReassembler::expire(Clock::time_point now) {
  std::vector<DecodedRequest> out;
  while (!lru_.empty()) {
    auto it = conns_.find(lru_.back());
    if (now - it->second.last < opts_.idle_timeout) break;
    drop(it, out, "connection-idle");
    stats_.expired++;
  }
  return out;
}

std::vector<DecodedRequest> StreamReassembler::flush() {
  std::vector<DecodedRequest> out;
  for (auto& [id, c] : conns_) finish(id, c, out, "agent-exit");
  conns_.clear();
  lru_.clear();
  total_held_ = 0;
  return out;
}

bool StreamReassembler::pending_origin(uint64_t conn, uint64_t& origin) const {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return false;
  const Conn& c = it->second;
  if (c.proto == Proto::Unknown) return !c.sniff.empty() ? (origin = 0, true) : false;
  if (c.h1) return c.h1->pending_origin(origin);
  return c.h2->pending_origin(origin);
}

ReassemblerStats StreamReassembler::stats() const {
  ReassemblerStats s = stats_;
  s.connections = conns_.size();
  return s;
}

size_t StreamReassembler::held_bytes() const {
  size_t n = 0;
  for (const auto& [id, c] : conns_) {
    n += c.sniff.size();
    if (c.h1) n += c.h1->held_bytes();
    if (c.h2) n += c.h2->held_bytes();
  }
  return n;
}

}  // namespace sockwarden
