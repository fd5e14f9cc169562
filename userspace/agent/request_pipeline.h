// Sends -> decoded requests -> "request" events. Feeds each send (enriched and
// caller-classified, before redaction) to the stream reassembler; each decoded
// request becomes one event that carries the attribution of the write holding
// its first byte, its severity, and (socket-tp) the daemon's status from the
// reply on the same connection.
#pragma once
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "decode/reply_matcher.h"
#include "decode/stream_reassembler.h"
#include "model/event.h"

namespace sockwarden {

struct RequestStats {
  uint64_t requests = 0;         // request events produced
  uint64_t evicted_connections = 0;
  uint64_t expired_connections = 0;
  uint64_t budget_evicted_connections = 0;  // dropped to stay within the decoder budget
  uint64_t replies_unseen = 0;   // requests released without a reply status (tiers that see replies)
};

class RequestPipeline {
 public:
  using Clock = std::chrono::steady_clock;
  // replies_visible: the tier reports the daemon's replies (socket-tp); HTTP/1.x
  // requests then wait up to reply_wait for their status.
  RequestPipeline(ReassemblerOptions o, bool replies_visible,
                  Clock::duration reply_wait = std::chrono::milliseconds(1000));

  std::vector<Event> on_send(const Event& e, Clock::time_point now);
  std::vector<Event> on_reply(const Event& e, Clock::time_point now);
  std::vector<Event> tick(Clock::time_point now);  // idle connections, overdue replies
  std::vector<Event> flush();                      // at exit

  RequestStats stats() const;

 private:
  void emit(DecodedRequest&& r, const Event& origin, Clock::time_point now, std::vector<Event>& out);
  void drop_origins(uint64_t conn, uint64_t below);
  const Event* origin_of(const DecodedRequest& r) const;  // first write, else the latest

  StreamReassembler streams_;
  ReplyMatcher<Event> replies_;
  bool replies_visible_;
  uint64_t seq_ = 0;
  // Writes that began a request still in progress: seq -> that write's event (payload dropped).
  std::map<uint64_t, Event> origins_;
  std::unordered_map<uint64_t, std::set<uint64_t>> origins_by_conn_;
  // Latest write of a connection with decoding in progress: the attribution of
  // last resort (an HTTP/2 stream whose first write was not kept, a request cut
  // short by expiry). At most one per tracked connection.
  std::unordered_map<uint64_t, Event> last_write_;
  uint64_t produced_ = 0;
};

}  // namespace sockwarden
