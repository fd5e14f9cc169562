// What `sockwarden lint` reports: findings (with where a reviewer suppressed
// them) and input errors (a file that could not be read or parsed).
#pragma once
#include <string>
#include <vector>

#include "audit/finding.h"

namespace sockwarden::lint {

using audit::Severity;
using audit::severity_name;

// Exit code when an input could not be read or parsed (findings in the other
// files are still reported). 0/1/2 follow `sockwarden audit`.
inline constexpr int kExitInputError = 5;

struct LintFinding {
  std::string file;
  int line = 0;         // 1-based line of the offending key/value
  std::string rule_id;  // "SW-LINT-001"
  Severity severity = Severity::Info;
  std::string message;
  bool suppressed = false;
  std::string suppression_reason;  // the reviewer's reason, when suppressed
  int suppression_line = 0;        // where the suppression is written
};

struct LintError {
  std::string file;
  int line = 0;  // 0 when the error is about the whole file
  std::string message;
};

struct LintResult {
  std::vector<LintFinding> findings;  // sorted by file, line, rule
  std::vector<LintError> errors;
  int files_scanned = 0;

  // kExitInputError if any input failed, else 2 for an unsuppressed critical
  // finding, 1 for high or medium, 0 otherwise (like `sockwarden audit`).
  int exit_code() const;
  size_t active_count() const;  // findings not suppressed
};

// Collects the findings of one file; checkers only say line, rule and message.
class FindingSink {
 public:
  explicit FindingSink(std::string file) : file_(std::move(file)) {}
  // Severity defaults to the rule's.
  void add(int line, const std::string& rule_id, const std::string& message);
  void add(int line, const std::string& rule_id, Severity severity, const std::string& message);
  const std::string& file() const { return file_; }
  std::vector<LintFinding>& findings() { return findings_; }

 private:
  std::string file_;
  std::vector<LintFinding> findings_;
};

}  // namespace sockwarden::lint
