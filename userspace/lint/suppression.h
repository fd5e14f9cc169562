// Reviewed exceptions. In any file a comment
//   # sockwarden-lint: allow SW-LINT-005[,SW-LINT-006] why this was accepted
// covers findings on its own line (trailing comment) or, on a line of its own,
// the next statement: the next non-blank line, its backslash continuations and,
// in YAML, the block indented under it. In Kubernetes objects the annotation
//   sockwarden.io/lint-allow: "SW-LINT-005: why; SW-LINT-006: why"
// covers the object. A suppression without a reason (or with an unknown rule id)
// suppresses nothing and is itself a finding (SW-LINT-011).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"

namespace sockwarden::lint {

inline constexpr const char* kAllowAnnotation = "sockwarden.io/lint-allow";
inline constexpr const char* kAllowComment = "sockwarden-lint:";

struct Suppression {
  int line = 0;  // where it is written
  std::vector<std::string> rule_ids;
  std::string reason;
  int first_line = 0, last_line = 0;  // the lines it covers
};

// "SW-LINT-001,SW-LINT-002: reason" (colon, dash or space before the reason).
Suppression parse_allow_entry(std::string_view text);

// Comment suppressions of a whole file. yaml: extend over indented blocks.
std::vector<Suppression> comment_suppressions(const std::vector<std::string>& lines, bool yaml);

// Annotation value -> one suppression per ';' or newline separated entry.
std::vector<Suppression> annotation_suppressions(std::string_view value, int line, int first_line, int last_line);

// Reports malformed suppressions into `sink` (SW-LINT-011) and marks the
// findings covered by the valid ones as suppressed.
void apply_suppressions(std::vector<LintFinding>& findings, const std::vector<Suppression>& sups, FindingSink& sink);

}  // namespace sockwarden::lint
