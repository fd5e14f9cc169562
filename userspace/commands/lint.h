// sockwarden lint PATH...: static checks of deployment files for what the
// agent watches at runtime (runtime socket mounts, privileged, host
// namespaces, capabilities, daemons on TCP without TLS).
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace sockwarden {

enum class LintFormat { Text, Json, Sarif };

struct LintOptions {
  std::vector<std::string> paths;
  LintFormat format = LintFormat::Text;
};

// Prints the report; returns the exit code (see LintResult::exit_code).
int run_lint(const LintOptions& o, std::ostream& out, std::ostream& err);

}  // namespace sockwarden
