#include "agent/record_builder.h"

#include <utility>

namespace sockwarden {

std::vector<Event> RecordBuilder::feed(RawEvent&& raw, Clock::time_point now) {
  std::vector<Event> out;
  feed(std::move(raw), now, out);
  return out;
}

void RecordBuilder::feed(RawEvent&& raw, Clock::time_point now, std::vector<Event>& out) {
  if (raw.kind == EventKind::Connect || raw.kind == EventKind::ConnectAttempt) {
    for (auto& e : build(correlator_.feed(std::move(raw), now))) out.push_back(std::move(e));
    return;
  }
  builder_.build_into(std::move(raw), true, out.emplace_back());
}

std::vector<Event> RecordBuilder::build(std::vector<ConnectResult>&& results) {
  std::vector<Event> out;
  out.reserve(results.size());
  for (auto& r : results) out.push_back(builder_.build(std::move(r.ev), r.success));
  return out;
}

}  // namespace sockwarden
