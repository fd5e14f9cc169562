// Puts trace's table rows back in time order.
//
// Why rows arrive out of order: the agent emits each event when it is
// complete, not when it happened. A decoded request carries the time of the
// write that began it but is emitted when the daemon's reply (its status)
// arrives, after the send and reply records and after anything another
// caller did meanwhile (its connect, say); a refused connect is reported when
// the correlator's window expires; lost-event and flood rows are reported on
// the next tick. Each event's time comes from the kernel's timestamp of its
// record (bpf_ktime_get_boot_ns, one clock for every CPU), so sorting on it is
// the order things happened in.
//
// The buffer holds each event at most `hold` after it arrived and releases
// in timestamp order: whatever arrives within the hold is put in its place.
// An event later than that (a request whose reply took longer) is released
// at the end of its own hold, after rows it should precede: counted in late().
// At most `max_events` are held; beyond that the earliest-timestamped event is
// released at once, so memory stays bounded under a flood. Used by the table
// only: `run` and --json write each event as soon as it is complete.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "model/event.h"

namespace sockwarden {

class ReorderBuffer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ReorderBuffer(Clock::duration hold = std::chrono::milliseconds(200), size_t max_events = 4096);

  // The event, and whatever it pushed out (max_events), in time order.
  std::vector<Event> push(Event&& e, Clock::time_point now);
  // Events whose hold ended (and all that sort before them), in time order.
  std::vector<Event> release(Clock::time_point now);
  // Everything, in time order (at exit).
  std::vector<Event> drain();

  size_t held() const { return by_time_.size(); }
  // Events released after one with a later timestamp.
  uint64_t late() const { return late_; }

 private:
  struct Held {
    uint64_t seq;
    Clock::time_point arrived;
    Event event;
  };
  void pop_first(std::vector<Event>& out);

  Clock::duration hold_;
  size_t max_events_;
  // By (timestamp, arrival sequence): ties keep their arrival order.
  std::map<std::pair<uint64_t, uint64_t>, Held> by_time_;
  // By arrival sequence, to find the oldest arrival: seq -> timestamp.
  std::map<uint64_t, uint64_t> by_arrival_;
  uint64_t next_seq_ = 0;
  uint64_t last_released_ns_ = 0;
  uint64_t late_ = 0;
};

}  // namespace sockwarden
