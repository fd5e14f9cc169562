#include "audit/audit_report.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace sockwarden::audit {

void finalize_findings(std::vector<Finding>& findings) {
  // The first socket-mounted finding per (container, socket) wins: callers
  // append the live (mountinfo) ones before the configured (hostconfig) ones.
  // The later one's evidence (the configured bind, the state directory) is
  // kept on the first.
  std::map<std::tuple<std::string, std::string>, size_t> seen;
  std::vector<Finding> kept;
  for (auto& f : findings) {
    if (f.check == "socket-mounted" && !f.container_id.empty()) {
      auto [it, fresh] = seen.emplace(std::make_tuple(f.container_id, f.socket_path), kept.size());
      if (!fresh) {
        auto& ev = kept[it->second].evidence;
        for (auto& e : f.evidence)
          if (std::find(ev.begin(), ev.end(), e) == ev.end()) ev.push_back(std::move(e));
        continue;
      }
    }
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
  sort_findings(findings);
}

}  // namespace sockwarden::audit
