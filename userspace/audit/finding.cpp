#include "audit/finding.h"

#include <algorithm>

namespace sockwarden::audit {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "info";
}

int audit_exit_code(const std::vector<Finding>& findings) {
  Severity worst = Severity::Info;
  for (const auto& f : findings) worst = std::max(worst, f.severity);
  if (worst == Severity::Critical) return 2;
  if (worst >= Severity::Medium) return 1;
  return 0;
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
}

}  // namespace sockwarden::audit
