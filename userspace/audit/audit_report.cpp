#include "audit/audit_report.h"

#include <set>
#include <tuple>

namespace sockwarden::audit {

void finalize_findings(std::vector<Finding>& findings) {
  // The first socket-mounted finding per (container, socket) wins: callers
  // append the live (mountinfo) ones before the configured (hostconfig) ones.
  std::set<std::tuple<std::string, std::string>> seen;
  std::vector<Finding> kept;
  for (auto& f : findings) {
    if (f.check == "socket-mounted" && !f.container_id.empty()) {
      if (!seen.insert({f.container_id, f.socket_path}).second) continue;
    }
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
  sort_findings(findings);
}

}  // namespace sockwarden::audit
