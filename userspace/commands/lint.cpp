#include "commands/lint.h"

#include "agent/lifecycle.h"
#include "lint/lint_runner.h"
#include "lint/report.h"
#include "format/safe_text.h"

namespace sockwarden {

int run_lint(const LintOptions& o, std::ostream& out, std::ostream& err) {
  lint::LintResult r = lint::lint_paths(o.paths);
  switch (o.format) {
    case LintFormat::Json: out << safe_dump(lint::report_json(r, agent_version()), 2) << "\n"; break;
    case LintFormat::Sarif: out << safe_dump(lint::report_sarif(r, agent_version()), 2) << "\n"; break;
    case LintFormat::Text: lint::report_text(out, r); break;
  }
  // Input errors go to stderr in every format: stdout stays a parseable
  // report, and a CI log shows them even when the report is uploaded.
  for (const auto& e : r.errors)
    err << escape_for_terminal(e.file) << ":" << e.line << ": error: " << escape_for_terminal(e.message) << "\n";
  out.flush();
  return r.exit_code();
}

}  // namespace sockwarden
