#include <map>

#include "lint/report.h"
#include "lint/rules.h"
#include "format/safe_text.h"

namespace sockwarden::lint {

void report_text(std::ostream& out, const LintResult& r) {
  std::map<Severity, int> counts;
  size_t suppressed = 0;
  for (const auto& f : r.findings) {
    if (f.suppressed) {
      suppressed++;
      continue;
    }
    counts[f.severity]++;
    const Rule* rule = find_rule(f.rule_id);
    // File names and messages quote what is in the linted files: escaped so
    // that ESC/CR in them cannot rewrite the report on a terminal.
    out << escape_for_terminal(f.file) << ":" << f.line << ": " << severity_name(f.severity) << " " << f.rule_id << " "
        << (rule ? rule->name : "") << ": " << escape_for_terminal(f.message) << "\n";
    if (rule) out << "    fix: " << rule->remediation << "\n";
  }
  if (suppressed) {
    out << "\nSuppressed (reviewed exceptions, not counted):\n";
    for (const auto& f : r.findings)
      if (f.suppressed)
        out << escape_for_terminal(f.file) << ":" << f.line << ": " << f.rule_id << " " << escape_for_terminal(f.message)
            << "\n    allowed at line " << f.suppression_line << ": " << escape_for_terminal(f.suppression_reason) << "\n";
  }
  out << "\n" << r.files_scanned << " files, " << r.active_count() << " findings (" << counts[Severity::Critical]
      << " critical, " << counts[Severity::High] << " high, " << counts[Severity::Medium] << " medium, "
      << counts[Severity::Low] << " low), " << suppressed << " suppressed, " << r.errors.size() << " errors -> exit "
      << r.exit_code() << "\n";
}

}  // namespace sockwarden::lint
