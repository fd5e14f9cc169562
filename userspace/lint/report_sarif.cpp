#include "lint/report.h"
#include "lint/rules.h"

namespace sockwarden::lint {

namespace {

// SARIF has three levels; GitHub code scanning orders security alerts by
// the rule's "security-severity" (CVSS-like 0-10) instead.
const char* sarif_level(Severity s) {
  if (s >= Severity::High) return "error";
  if (s == Severity::Medium) return "warning";
  return "note";
}

const char* security_severity(Severity s) {
  switch (s) {
    case Severity::Critical: return "9.5";
    case Severity::High: return "8.0";
    case Severity::Medium: return "5.5";
    default: return "3.0";
  }
}

// artifactLocation.uri is a URI reference: relative paths stay relative (to
// the repository root in CI), "./" is dropped, spaces and '%' are escaped.
std::string file_uri(const std::string& path) {
  std::string p = path.rfind("./", 0) == 0 ? path.substr(2) : path;
  std::string out;
  for (char c : p) {
    if (c == ' ') out += "%20";
    else if (c == '%') out += "%25";
    else if (c == '#') out += "%23";
    else if (c == '?') out += "%3F";
    else out += c;
  }
  return out.rfind('/', 0) == 0 ? "file://" + out : out;
}

}  // namespace

nlohmann::json report_sarif(const LintResult& r, const std::string& version) {
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, int> index;
  for (const auto& rule : lint_rules()) {
    index[rule.id] = static_cast<int>(rules.size());
    rules.push_back({{"id", rule.id},
                     {"name", rule.name},
                     {"shortDescription", {{"text", rule.name}}},
                     {"fullDescription", {{"text", rule.summary}}},
                     {"help", {{"text", rule.remediation}}},
                     {"defaultConfiguration", {{"level", sarif_level(rule.severity)}}},
                     {"properties", {{"security-severity", security_severity(rule.severity)},
                                     {"tags", {"security", "container"}}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : r.findings) {
    const Rule* rule = find_rule(f.rule_id);
    nlohmann::json res = {
        {"ruleId", f.rule_id},
        {"ruleIndex", index[f.rule_id]},
        {"level", sarif_level(f.severity)},
        {"message", {{"text", f.message + (rule ? ". Fix: " + rule->remediation : "")}}},
        {"locations",
         {{{"physicalLocation",
            {{"artifactLocation", {{"uri", file_uri(f.file)}}}, {"region", {{"startLine", std::max(1, f.line)}}}}}}}},
        {"properties", {{"severity", severity_name(f.severity)}}}};
    if (f.suppressed)
      res["suppressions"] = {{{"kind", "inSource"}, {"status", "accepted"}, {"justification", f.suppression_reason}}};
    results.push_back(std::move(res));
  }
  nlohmann::json notifications = nlohmann::json::array();
  for (const auto& e : r.errors) {
    nlohmann::json n = {{"level", "error"}, {"message", {{"text", e.message}}}};
    nlohmann::json loc = {{"artifactLocation", {{"uri", file_uri(e.file)}}}};
    if (e.line > 0) loc["region"] = {{"startLine", e.line}};
    n["locations"] = {{{"physicalLocation", loc}}};
    notifications.push_back(std::move(n));
  }
  nlohmann::json invocation = {{"executionSuccessful", r.errors.empty()},
                               {"toolExecutionNotifications", notifications}};
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "sockwarden"},
                 {"semanticVersion", version},
                 {"informationUri", "https://github.com/sockwarden/sockwarden"},
                 {"rules", rules}}}}},
             {"invocations", {invocation}},
             {"results", results}}}}};
}

}  // namespace sockwarden::lint
