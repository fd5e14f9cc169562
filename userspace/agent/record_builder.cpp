#include "agent/record_builder.h"

#include <utility>

namespace sockwarden {

std::vector<Event> RecordBuilder::feed(RawEvent&& raw, Clock::time_point now) {
  if (raw.kind == EventKind::Connect || raw.kind == EventKind::ConnectAttempt)
    return build(correlator_.feed(std::move(raw), now));
  std::vector<Event> out;
  out.push_back(builder_.build(std::move(raw)));
  return out;
}

std::vector<Event> RecordBuilder::build(std::vector<ConnectResult>&& results) {
  std::vector<Event> out;
  out.reserve(results.size());
  for (auto& r : results) out.push_back(builder_.build(std::move(r.ev), r.success));
  return out;
}

}  // namespace sockwarden
