// Which events a responder asked to see (--pid). The kernel already keeps
// everything that is not a watched socket's traffic out of userspace.
#pragma once
#include <cstdint>
#include <set>

#include "output/event.h"

namespace sockwarden {

class EventFilter {
 public:
  explicit EventFilter(std::set<uint32_t> pids = {}) : pids_(std::move(pids)) {}
  // Loss records always pass: a filter must never hide that data was lost.
  bool keep(const Event& e) const;

 private:
  std::set<uint32_t> pids_;  // tgids or their parents; empty = all
};

}  // namespace sockwarden
