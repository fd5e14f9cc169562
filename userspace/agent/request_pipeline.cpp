#include "agent/request_pipeline.h"

#include <algorithm>

#include "classify/redactor.h"
#include "decode/severity.h"
#include "events.h"

namespace sockwarden {
namespace {
void set_status(Event& e, int status, std::string_view body) {
  if (!e.request) return;
  e.request->status_code = status;
  e.outcome = status < 400 ? "success" : "failure";
  // The new container's or exec's id: what ties the request to its effect.
  const std::string& op = e.request->operation;
  if (status == 201 && (op == "container-create" || op == "exec-create")) e.request->reply_id = reply_object_id(body);
}
}  // namespace

RequestPipeline::RequestPipeline(ReassemblerOptions o, bool replies_visible, Clock::duration reply_wait)
    : streams_(o), replies_(reply_wait), replies_visible_(replies_visible) {}

const Event* RequestPipeline::origin_of(const DecodedRequest& r) const {
  auto it = origins_.find(r.origin);
  if (it != origins_.end()) return &it->second;
  auto last = last_write_.find(r.connection);
  return last == last_write_.end() ? nullptr : &last->second;
}

void RequestPipeline::drop_origins(uint64_t conn, uint64_t below) {
  auto it = origins_by_conn_.find(conn);
  if (it == origins_by_conn_.end()) return;
  auto& seqs = it->second;
  while (!seqs.empty() && *seqs.begin() < below) {
    origins_.erase(*seqs.begin());
    seqs.erase(seqs.begin());
  }
  if (seqs.empty()) origins_by_conn_.erase(it);
}

void RequestPipeline::emit(DecodedRequest&& r, const Event& origin, Clock::time_point now, std::vector<Event>& out) {
  Event ev = origin;
  ev.action = "request";
  ev.outcome = "unknown";
  ev.raw.payload.clear();
  // Capture flags of one write say nothing about the request: it has its own
  // truncated / unparsed_body.
  ev.raw.flags &= (SW_F_ABSTRACT | SW_F_FD_UNKNOWN);
  ev.raw.bytes = r.body_bytes;
  ev.flags.erase(std::remove(ev.flags.begin(), ev.flags.end(), "redacted"), ev.flags.end());
  // Bytes where a request line should be (an unparsed request) are reported as
  // seen, so they go through the same redaction as payloads: they may be a body.
  if (r.operation == "unparsed" || r.method.empty()) r.target = redact_payload(r.target).payload;
  Severity sev = request_severity(r, ev.flags);
  ev.severity = severity_name(sev);
  ev.severity_score = severity_score(sev);
  bool wait = replies_visible_ && r.protocol != "http/2";
  ev.request = std::move(r);
  produced_++;
  if (!wait) {
    out.push_back(std::move(ev));
    return;
  }
  uint64_t conn = ev.raw.client_sock_ino;
  for (auto& x : replies_.add(conn, std::move(ev), now, set_status)) out.push_back(std::move(x));
}

// Longer than any request budget or body a daemon accepts.
constexpr uint64_t kUnknownGapBytes = uint64_t{1} << 40;

std::vector<Event> RequestPipeline::on_send(const Event& e, Clock::time_point now) {
  std::vector<Event> out;
  const RawEvent& raw = e.raw;
  uint64_t conn = raw.client_sock_ino;
  if (conn == 0) return out;  // no connection identity: cannot order its bytes
  if ((raw.flags & SW_F_RESULT_KNOWN) && raw.result <= 0) return out;  // nothing was sent
  uint64_t seq = ++seq_;
  std::string_view data = raw.payload;
  if (raw.flags & SW_F_PAYLOAD_NONE) data = {};
  uint64_t missing = raw.bytes > data.size() ? raw.bytes - data.size() : 0;
  std::vector<DecodedRequest> reqs;
  if (raw.flags & SW_F_FLOOD_GAP) {
    // The flood budget held back writes before this one: a gap of unknown
    // length (longer than any body), so the stream resyncs at a request line.
    reqs = streams_.on_write(conn, {}, kUnknownGapBytes, seq, now);
  }
  for (auto& r : streams_.on_write(conn, data, missing, seq, now)) reqs.push_back(std::move(r));
  for (auto& r : reqs) {
    const Event* origin = r.origin == seq ? &e : origin_of(r);
    emit(std::move(r), origin ? *origin : e, now, out);
  }
  // Keep this write's attribution only while a request it began is in progress.
  uint64_t pending = 0;
  bool has_pending = streams_.pending_origin(conn, pending);
  if (has_pending && pending == seq) {
    Event o = e;
    o.raw.payload.clear();
    origins_.emplace(seq, std::move(o));
    origins_by_conn_[conn].insert(seq);
  }
  drop_origins(conn, has_pending ? pending : UINT64_MAX);
  if (has_pending) {
    Event& last = last_write_[conn];
    last = e;
    last.raw.payload.clear();
  } else {
    last_write_.erase(conn);
  }
  return out;
}

std::vector<Event> RequestPipeline::on_reply(const Event& e, Clock::time_point now) {
  if (!replies_visible_ || e.raw.client_sock_ino == 0) return {};
  return replies_.on_reply(e.raw.client_sock_ino, e.raw.payload, now, set_status);
}

std::vector<Event> RequestPipeline::tick(Clock::time_point now) {
  std::vector<Event> out;
  for (auto& r : streams_.expire(now)) {
    const Event* origin = origin_of(r);
    if (origin) emit(std::move(r), *origin, now, out);
  }
  // Connections the reassembler no longer tracks (idle, evicted) keep no attribution.
  for (auto it = origins_by_conn_.begin(); it != origins_by_conn_.end();) {
    if (streams_.tracks(it->first)) {
      ++it;
      continue;
    }
    for (uint64_t s : it->second) origins_.erase(s);
    it = origins_by_conn_.erase(it);
  }
  for (auto it = last_write_.begin(); it != last_write_.end();)
    it = streams_.tracks(it->first) ? std::next(it) : last_write_.erase(it);
  for (auto& e : replies_.expire(now)) out.push_back(std::move(e));
  return out;
}

std::vector<Event> RequestPipeline::flush() {
  std::vector<Event> out;
  auto now = Clock::now();
  for (auto& r : streams_.flush()) {
    const Event* origin = origin_of(r);
    if (origin) emit(std::move(r), *origin, now, out);
  }
  origins_.clear();
  origins_by_conn_.clear();
  last_write_.clear();
  for (auto& e : replies_.flush()) out.push_back(std::move(e));
  return out;
}

RequestStats RequestPipeline::stats() const {
  auto s = streams_.stats();
  return RequestStats{produced_, s.evicted, s.expired, s.budget_evicted, replies_.unanswered()};
}

}  // namespace sockwarden
