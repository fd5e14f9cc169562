// Last stage of the pipeline: what reaches the sink. The continuous audit
// sees every request (a filtered create still changes findings), then the
// user's filter (--pid, --container, --only-flagged), then redaction of
// credentials in payloads, then the sink.
//
// Containment: the bytes in an event are chosen by whoever writes to a
// watched socket. An event that cannot be formatted or written (a serializer
// or sink exception) must not end the agent, since a dead monitor (and, with
// --enforce, a host that fails open) is what the attacker wants. It becomes a
// loss record with its cause, and the agent goes on.
#pragma once
#include <cstdint>
#include <vector>

#include "agent/continuous_audit.h"
#include "classify/event_filter.h"
#include "enrich/event_builder.h"
#include "model/event.h"
#include "model/event_sink.h"

namespace sockwarden {

class Delivery {
 public:
  Delivery(EventSink& sink, EventFilter filter, ContinuousAudit* audit, EventBuilder& builder, RunStats& stats)
      : sink_(sink), filter_(std::move(filter)), audit_(audit), builder_(builder), stats_(stats) {}

  // audit -> filter -> redact -> sink.
  void publish(Event&& e);
  void publish_all(std::vector<Event>&& events) {
    for (auto& e : events) publish(std::move(e));
  }
  // Straight to the sink (agent-start, agent-stop), contained like the rest.
  void to_sink(const Event& e);
  // After every pass of the capture loop: the sink writes what it held back
  // (trace's table reorders rows for a moment), contained like to_sink.
  void idle();
  // One event that failed in `cause` ("format-error", "processing-error"):
  // counted and reported as a lost event.
  void contained(const char* cause, const char* what);

 private:
  EventSink& sink_;
  EventFilter filter_;
  ContinuousAudit* audit_;
  EventBuilder& builder_;
  RunStats& stats_;
  uint64_t contained_failures_ = 0;
};

}  // namespace sockwarden
