// Stage 2 of the pipeline: kernel records -> Events. A connect attempt waits
// (briefly, bounded) for its outcome record so one connect is one event; every
// other record becomes one Event with the process, cgroup and container added.
#pragma once
#include <chrono>
#include <vector>

#include "capture/raw_event.h"
#include "decode/connect_correlator.h"
#include "enrich/event_builder.h"
#include "model/event.h"

namespace sockwarden {

class RecordBuilder {
 public:
  using Clock = std::chrono::steady_clock;
  RecordBuilder(EventBuilder& builder, ConnectCorrelator& correlator) : builder_(builder), correlator_(correlator) {}

  std::vector<Event> feed(RawEvent&& raw, Clock::time_point now);
  // The same appended to `out`: the capture loop reuses one vector (issue 18: a vector per
  // record was a ~1 KiB allocation per event).
  void feed(RawEvent&& raw, Clock::time_point now, std::vector<Event>& out);
  // After each read batch: resolve the connect attempts still waiting (see ConnectCorrelator).
  void settle() { correlator_.settle(); }
  // Attempts whose outcome did not arrive in time, as refused/unknown connects.
  std::vector<Event> expire(Clock::time_point now) { return build(correlator_.expire(now)); }
  // At exit: every pending attempt settled.
  std::vector<Event> flush() { return build(correlator_.flush()); }

 private:
  std::vector<Event> build(std::vector<ConnectResult>&& results);
  EventBuilder& builder_;
  ConnectCorrelator& correlator_;
};

}  // namespace sockwarden
