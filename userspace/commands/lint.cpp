#include "commands/lint.h"

#include "commands/lifecycle.h"
#include "lint/lint_runner.h"
#include "lint/report.h"

namespace sockwarden {

int run_lint(const LintOptions& o, std::ostream& out, std::ostream& err) {
  lint::LintResult r = lint::lint_paths(o.paths);
  switch (o.format) {
    case LintFormat::Json: out << lint::report_json(r, agent_version()).dump(2) << "\n"; break;
    case LintFormat::Sarif: out << lint::report_sarif(r, agent_version()).dump(2) << "\n"; break;
    case LintFormat::Text: lint::report_text(out, r); break;
  }
  // Input errors go to stderr in every format: stdout stays a parseable
  // report, and a CI log shows them even when the report is uploaded.
  for (const auto& e : r.errors) err << e.file << ":" << e.line << ": error: " << e.message << "\n";
  out.flush();
  return r.exit_code();
}

}  // namespace sockwarden
