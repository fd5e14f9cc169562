#include "format/reorder_buffer.h"

namespace sockwarden {

ReorderBuffer::ReorderBuffer(Clock::duration hold, size_t max_events)
    : hold_(hold), max_events_(max_events == 0 ? 1 : max_events) {}

void ReorderBuffer::pop_first(std::vector<Event>& out) {
  auto it = by_time_.begin();
  uint64_t ts = it->first.first;
  if (ts < last_released_ns_) ++late_;
  else last_released_ns_ = ts;
  by_arrival_.erase(it->second.seq);
  out.push_back(std::move(it->second.event));
  by_time_.erase(it);
}

std::vector<Event> ReorderBuffer::push(Event&& e, Clock::time_point now) {
  uint64_t seq = next_seq_++;
  uint64_t ts = e.realtime_ns;
  by_arrival_.emplace(seq, ts);
  by_time_.emplace(std::make_pair(ts, seq), Held{seq, now, std::move(e)});
  std::vector<Event> out;
  while (by_time_.size() > max_events_) pop_first(out);
  auto more = release(now);
  for (auto& m : more) out.push_back(std::move(m));
  return out;
}

std::vector<Event> ReorderBuffer::release(Clock::time_point now) {
  std::vector<Event> out;
  // While the oldest arrival is due: release in time order up to and
  // including it. Every event thus waits at most `hold`.
  while (!by_arrival_.empty()) {
    auto oldest = by_arrival_.begin();
    auto key = std::make_pair(oldest->second, oldest->first);
    if (by_time_.at(key).arrived + hold_ > now) break;
    while (!by_time_.empty() && by_time_.begin()->first <= key) pop_first(out);
  }
  return out;
}

std::vector<Event> ReorderBuffer::drain() {
  std::vector<Event> out;
  while (!by_time_.empty()) pop_first(out);
  return out;
}

}  // namespace sockwarden
