// The three renderings of a lint result (input errors are printed to stderr
// by the command; text shows their count, JSON and SARIF list them too): text for people, JSON for scripts,
// SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, Azure DevOps).
#pragma once
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "lint/finding.h"

namespace sockwarden::lint {

void report_text(std::ostream& out, const LintResult& r);
nlohmann::json report_json(const LintResult& r, const std::string& version);
nlohmann::json report_sarif(const LintResult& r, const std::string& version);

}  // namespace sockwarden::lint
