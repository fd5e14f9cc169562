#include "agent/delivery.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

#include "agent/wall_clock.h"
#include "classify/redactor.h"

namespace sockwarden {

void Delivery::publish(Event&& e) {
  if (audit_ && e.request) audit_->on_request(e);  // before the filter: a filtered create still changes findings
  if (!filter_.keep(e)) return;
  if (e.action == "send"sv || e.action == "reply"sv) {
    if (redact_payload_in_place(e.raw.payload)) e.flags.push_back("redacted");
  }
  to_sink(e);
}

void Delivery::to_sink(const Event& e) {
  stats_.emitted++;
  try {
    sink_.on_event(e);
  } catch (const std::exception& ex) {
    stats_.emitted--;
    contained("format-error", ex.what());
  }
}

void Delivery::idle() {
  try {
    sink_.on_idle();
  } catch (const std::exception& ex) {
    contained("format-error", ex.what());
  }
}

void Delivery::contained(const char* cause, const char* what) {
  if (contained_failures_++ < 10) spdlog::warn("{}: {} (reported as a lost event)", cause, what);
  stats_.lost++;
  stats_.lost_by_cause[cause]++;
  try {
    stats_.emitted++;
    sink_.on_event(builder_.lost(1, cause, now_realtime_ns()));
  } catch (const std::exception& e2) {
    stats_.emitted--;
    spdlog::error("the {} loss record could not be written either: {}", cause, e2.what());
  }
}

}  // namespace sockwarden
