// Setters take (item, status) or (item, status, captured start of the body).
// Pairs decoded HTTP/1.x requests with the daemon's status line on the same
// connection (reply records: the first bytes of each daemon write), FIFO as
// HTTP/1.1 requires. A refused create (4xx/5xx) is not the same incident as a
// successful one. Requests wait at most 'wait' for their status; a status that
// arrives before its request (the two records race through the ring buffer)
// is kept briefly for the next request. Interim 1xx answers (100 Continue) are
// skipped; 101 (hijack) is final.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace sockwarden {

// "HTTP/1.1 201 Created\r\n..." -> 201; nullopt when the bytes do not start with a status line.
std::optional<int> parse_status_line(std::string_view reply);

// The captured start of the reply's body (after the blank line), "" if none
// was captured. A create's {"Id":"..."} fits in the reply cap (bpf/events.h).
std::string_view reply_body_start(std::string_view reply);

// {"Id":"<64 hex>",...} at the start of a reply body -> the id; "" otherwise.
// Only a full 64-hex id counts: a cut one could name a different container.
std::string reply_object_id(std::string_view body);

template <class T>
class ReplyMatcher {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxPerConnection = 64;  // pipelined requests waiting; more are released

  explicit ReplyMatcher(Clock::duration wait) : wait_(wait) {}

  // Queue a request; returns items released now (overflow), in order.
  template <class Set>
  std::vector<T> add(uint64_t conn, T item, Clock::time_point now, Set set) {
    std::vector<T> out;
    auto& c = conns_[conn];
    while (!c.early.empty() && now - c.early.front().at > wait_) pop_front(c.early);
    if (!c.early.empty()) {
      apply(set, item, c.early.front().status, c.early.front().body);
      pop_front(c.early);
      out.push_back(std::move(item));
      cleanup(conn);
      return out;
    }
    c.pending.push_back({std::move(item), now + wait_});
    if (c.pending.size() > kMaxPerConnection) {
      out.push_back(std::move(c.pending.front().item));
      pop_front(c.pending);
    }
    return out;
  }

  // A reply record on conn: returns the request it answers (with its status set), if any.
  template <class Set>
  std::vector<T> on_reply(uint64_t conn, std::string_view payload, Clock::time_point now, Set set) {
    std::vector<T> out;
    auto st = parse_status_line(payload);
    if (!st || (*st >= 100 && *st < 200 && *st != 101)) return out;
    auto& c = conns_[conn];
    if (c.pending.empty()) {
      if (c.early.size() < 8) c.early.push_back({*st, now, std::string(reply_body_start(payload).substr(0, kMaxBody))});
      return out;
    }
    T item = std::move(c.pending.front().item);
    pop_front(c.pending);
    apply(set, item, *st, reply_body_start(payload));
    out.push_back(std::move(item));
    cleanup(conn);
    return out;
  }

  // Requests whose status did not come in time, oldest first.
  std::vector<T> expire(Clock::time_point now) {
    std::vector<T> out;
    for (auto it = conns_.begin(); it != conns_.end();) {
      auto& c = it->second;
      while (!c.pending.empty() && c.pending.front().deadline <= now) {
        out.push_back(std::move(c.pending.front().item));
        pop_front(c.pending);
        unanswered_++;
      }
      while (!c.early.empty() && now - c.early.front().at > wait_) pop_front(c.early);
      if (c.pending.empty() && c.early.empty()) it = conns_.erase(it);
      else ++it;
    }
    return out;
  }

  std::vector<T> flush() {
    std::vector<T> out;
    for (auto& [id, c] : conns_)
      for (auto& p : c.pending) out.push_back(std::move(p.item));
    conns_.clear();
    return out;
  }

  // Requests released by expire() without a status: the daemon did not answer within 'wait',
  // or its reply was not captured (socket-tp can miss a reply the daemon's peer reads on
  // another CPU before the sk_data_ready program looks at the queue; see docs/known-gaps.md).
  uint64_t unanswered() const { return unanswered_; }

  size_t waiting() const {
    size_t n = 0;
    for (const auto& [id, c] : conns_) n += c.pending.size();
    return n;
  }

 private:
  static constexpr size_t kMaxBody = 512;  // what the reply cap lets through anyway
  template <class Set>
  static void apply(Set& set, T& item, int status, std::string_view body) {
    if constexpr (std::is_invocable_v<Set&, T&, int, std::string_view>) set(item, status, body);
    else set(item, status);
  }
  struct Pending {
    T item;
    Clock::time_point deadline;
  };
  struct Early {
    int status;
    Clock::time_point at;
    std::string body;
  };
  // Vectors, not deques: a connection usually holds one request for a moment, and a
  // std::deque allocates its map and a first block on construction (for an Event-sized
  // Pending, a block of its own): issue 18's profile of the watched request loop, where
  // every request is a new connection, found those allocations a tenth of the agent's CPU.
  // The queues are short (kMaxPerConnection, 8), so popping the front is cheap.
  struct Conn {
    std::vector<Pending> pending;
    std::vector<Early> early;
  };
  template <class V>
  static void pop_front(V& v) {
    v.erase(v.begin());
  }
  void cleanup(uint64_t conn) {
    auto it = conns_.find(conn);
    if (it != conns_.end() && it->second.pending.empty() && it->second.early.empty()) conns_.erase(it);
  }
  Clock::duration wait_;
  std::unordered_map<uint64_t, Conn> conns_;
  uint64_t unanswered_ = 0;
};

}  // namespace sockwarden
