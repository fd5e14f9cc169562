// Per-caller totals printed when `sockwarden trace` ends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/event.h"

namespace sockwarden {

struct CallerStats {
  uint32_t tgid = 0;
  std::string comm;
  uint32_t uid = 0;
  std::string cgroup_path;
  std::string container;  // the container's name when known ("" otherwise)
  uint64_t connects = 0;         // every connect event, failed ones included
  uint64_t failed_connects = 0;  // the subset with outcome "failure"
  uint64_t sends = 0;
  uint64_t bytes = 0;            // bytes written by sends
};

class CallerSummary {
 public:
  // Replies are counted in events() but not attributed to a caller: their
  // process context is the daemon answering, which is not a caller.
  void add(const Event& e);

  // "Top callers" table (top rows), a totals line, and "lost events: N",
  // which is printed even when 0 so a clean run is visibly clean. CONTAINER
  // says what the rows' CONTAINER column says (container_label). width > 0:
  // every line fits in that many columns (COMM shrinks to 8 columns and
  // CONTAINER to 16, then UID, BYTES and FAILED are left out); 0: unlimited.
  void print(std::ostream& out, size_t top = 10, size_t width = 0) const;

  // {"summary":{"events":N,"lost":N,"callers":[...all, in print order...]}}
  nlohmann::json to_json() const;

  // Sorted by connects + sends, descending (then bytes desc, then pid asc).
  std::vector<CallerStats> callers() const;
  uint64_t events() const { return events_; }
  uint64_t lost() const { return lost_; }

 private:
  using Key = std::tuple<uint32_t, std::string, uint32_t, std::string>;  // tgid, comm, uid, cgroup
  std::map<Key, CallerStats> by_caller_;
  uint64_t events_ = 0;
  uint64_t lost_ = 0;
};

}  // namespace sockwarden
