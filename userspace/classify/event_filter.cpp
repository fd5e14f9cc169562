#include "classify/event_filter.h"

namespace sockwarden {

bool EventFilter::keep(const Event& e) const {
  if (e.action == "lost") return true;
  if (pids_.empty()) return true;
  // A reply is produced by the daemon, on behalf of the connection's client:
  // keep it only when the daemon itself was asked for.
  return pids_.count(e.raw.tgid) || pids_.count(e.raw.pid) || (e.action != "reply" && pids_.count(e.raw.ppid));
}

}  // namespace sockwarden
