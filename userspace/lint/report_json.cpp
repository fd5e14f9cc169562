#include "lint/report.h"
#include "lint/rules.h"

namespace sockwarden::lint {

nlohmann::json report_json(const LintResult& r, const std::string& version) {
  nlohmann::json findings = nlohmann::json::array();
  std::map<std::string, int> counts;
  for (const auto& f : r.findings) {
    const Rule* rule = find_rule(f.rule_id);
    nlohmann::json j = {{"file", f.file},
                        {"line", f.line},
                        {"rule_id", f.rule_id},
                        {"rule_name", rule ? rule->name : ""},
                        {"severity", severity_name(f.severity)},
                        {"message", f.message},
                        {"remediation", rule ? rule->remediation : ""},
                        {"suppressed", f.suppressed}};
    if (f.suppressed) j["suppression"] = {{"reason", f.suppression_reason}, {"line", f.suppression_line}};
    else counts[severity_name(f.severity)]++;
    findings.push_back(std::move(j));
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : r.errors) errors.push_back({{"file", e.file}, {"line", e.line}, {"message", e.message}});
  nlohmann::json summary = {{"files_scanned", r.files_scanned},
                            {"findings", r.active_count()},
                            {"suppressed", r.findings.size() - r.active_count()},
                            {"errors", r.errors.size()}};
  for (const char* s : {"critical", "high", "medium", "low", "info"}) summary[s] = counts[s];
  return {{"tool", "sockwarden lint"}, {"version", version}, {"findings", findings},
          {"errors", errors},          {"summary", summary}, {"exit_code", r.exit_code()}};
}

}  // namespace sockwarden::lint
