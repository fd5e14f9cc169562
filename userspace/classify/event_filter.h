// Which events a responder asked to see (--pid). The kernel already keeps
// everything that is not a watched socket's traffic out of userspace.
#pragma once
#include <cstdint>
#include <set>
#include <string>

#include "model/event.h"

namespace sockwarden {

class EventFilter {
 public:
  explicit EventFilter(std::set<uint32_t> pids = {}, std::string container_glob = "", bool only_flagged = false)
      : pids_(std::move(pids)), container_glob_(std::move(container_glob)), only_flagged_(only_flagged) {}
  // Loss records always pass: a filter must never hide that data was lost.
  bool keep(const Event& e) const;

 private:
  std::set<uint32_t> pids_;     // tgids or their parents; empty = all
  std::string container_glob_;  // --container: name (glob) or id prefix; "" = all
  bool only_flagged_;           // --only-flagged: a caller flag is set
};

}  // namespace sockwarden
