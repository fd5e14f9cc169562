#include "lint/finding.h"

#include <algorithm>

#include "lint/rules.h"

namespace sockwarden::lint {

int LintResult::exit_code() const {
  if (!errors.empty()) return kExitInputError;
  Severity worst = Severity::Info;
  for (const auto& f : findings)
    if (!f.suppressed) worst = std::max(worst, f.severity);
  if (worst == Severity::Critical) return 2;
  if (worst >= Severity::Medium) return 1;
  return 0;
}

size_t LintResult::active_count() const {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) { return !f.suppressed; }));
}

void FindingSink::add(int line, const std::string& rule_id, const std::string& message) {
  const Rule* r = find_rule(rule_id);
  add(line, rule_id, r ? r->severity : Severity::Medium, message);
}

void FindingSink::add(int line, const std::string& rule_id, Severity severity, const std::string& message) {
  LintFinding f;
  f.file = file_;
  f.line = line;
  f.rule_id = rule_id;
  f.severity = severity;
  f.message = message;
  findings_.push_back(std::move(f));
}

}  // namespace sockwarden::lint
