#include "classify/event_filter.h"

#include <fnmatch.h>

namespace sockwarden {

namespace {

bool container_matches(const Event& e, const std::string& glob) {
  if (!e.container) return false;
  const auto& c = *e.container;
  if (!c.name.empty() && fnmatch(glob.c_str(), c.name.c_str(), 0) == 0) return true;
  // An id prefix, as `docker ps` shows it (12 hex), works too.
  return glob.size() >= 4 && c.ref.id.compare(0, glob.size(), glob) == 0;
}

bool flagged(const Event& e) {
  for (const auto& f : e.flags)
    if (f == "container-originated" || f == "namespaced" || f == "unexpected-caller") return true;
  return false;
}

}  // namespace

bool EventFilter::keep(const Event& e) const {
  if (e.is_agent_event()) return true;
  if (!container_glob_.empty() && !container_matches(e, container_glob_)) return false;
  if (only_flagged_ && !flagged(e)) return false;
  if (pids_.empty()) return true;
  // A reply is produced by the daemon, on behalf of the connection's client:
  // keep it only when the daemon itself was asked for.
  return pids_.count(e.raw.tgid) || pids_.count(e.raw.pid) || (e.action != "reply"sv && pids_.count(e.raw.ppid));
}

}  // namespace sockwarden
