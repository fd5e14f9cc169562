// The lint rule set: stable ids, a short name, default severity, what each
// matches and the fix. One table, shared by the checkers, the text/JSON/SARIF
// reports and docs/lint.md's rule table.
#pragma once
#include <string>
#include <vector>

#include "lint/finding.h"

namespace sockwarden::lint {

namespace rule {
inline constexpr const char* kSocketMount = "SW-LINT-001";
inline constexpr const char* kSocketDirMount = "SW-LINT-002";
inline constexpr const char* kPrivileged = "SW-LINT-003";
inline constexpr const char* kPrivilegeEscalation = "SW-LINT-004";
inline constexpr const char* kHostPid = "SW-LINT-005";
inline constexpr const char* kHostNetwork = "SW-LINT-006";
inline constexpr const char* kHostIpc = "SW-LINT-007";
inline constexpr const char* kCapAdd = "SW-LINT-008";
inline constexpr const char* kDaemonTcp = "SW-LINT-009";
inline constexpr const char* kClientTcp = "SW-LINT-010";
inline constexpr const char* kBadSuppression = "SW-LINT-011";
}  // namespace rule

struct Rule {
  std::string id;
  std::string name;  // kebab-case, e.g. "runtime-socket-mount"
  Severity severity;
  std::string summary;      // what it matches
  std::string remediation;  // the safer alternative
};

const std::vector<Rule>& lint_rules();
// nullptr for an unknown id.
const Rule* find_rule(const std::string& id);

}  // namespace sockwarden::lint
