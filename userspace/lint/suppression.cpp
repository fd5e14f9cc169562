#include "lint/suppression.h"

#include <algorithm>

#include "lint/rules.h"

namespace sockwarden::lint {

namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

size_t indent_of(const std::string& l) { return l.find_first_not_of(" \t"); }

bool is_blank_or_comment(const std::string& l) {
  size_t i = indent_of(l);
  return i == std::string::npos || l[i] == '#' || l.compare(i, 2, "//") == 0;
}

bool ends_with_backslash(const std::string& l) {
  size_t e = l.find_last_not_of(" \t\r");
  return e != std::string::npos && l[e] == '\\';
}

}  // namespace

Suppression parse_allow_entry(std::string_view text) {
  Suppression s;
  std::string t = trim(text);
  size_t i = 0;
  // Rule ids: SW-LINT-NNN separated by commas (spaces around them allowed).
  while (true) {
    while (i < t.size() && (t[i] == ' ' || t[i] == ',')) i++;
    if (t.compare(i, 8, "SW-LINT-") != 0) break;
    size_t j = i + 8;
    while (j < t.size() && std::isalnum(static_cast<unsigned char>(t[j]))) j++;
    s.rule_ids.push_back(t.substr(i, j - i));
    i = j;
    size_t k = i;
    while (k < t.size() && t[k] == ' ') k++;
    if (k < t.size() && t[k] == ',') {
      i = k;
      continue;
    }
    break;
  }
  std::string rest = trim(t.substr(std::min(i, t.size())));
  while (!rest.empty() && (rest[0] == ':' || rest[0] == '-')) rest = trim(rest.substr(1));
  s.reason = rest;
  return s;
}

std::vector<Suppression> comment_suppressions(const std::vector<std::string>& lines, bool yaml) {
  std::vector<Suppression> out;
  for (size_t n = 0; n < lines.size(); n++) {
    const std::string& l = lines[n];
    size_t at = l.find(kAllowComment);
    if (at == std::string::npos) continue;
    // Only inside a comment: '#' or '//' before the marker.
    size_t hash = l.rfind('#', at);
    size_t slashes = l.rfind("//", at);
    size_t comment = std::min(hash, slashes);
    if (hash == std::string::npos) comment = slashes;
    if (slashes == std::string::npos) comment = hash;
    if (comment == std::string::npos) continue;
    std::string body = trim(std::string_view(l).substr(at + std::string(kAllowComment).size()));
    if (body.rfind("allow", 0) != 0) continue;
    Suppression s = parse_allow_entry(std::string_view(body).substr(5));
    s.line = static_cast<int>(n + 1);
    bool trailing = trim(std::string_view(l).substr(0, comment)).size() > 0;
    if (trailing) {
      s.first_line = s.last_line = s.line;
    } else {
      size_t next = n + 1;
      while (next < lines.size() && is_blank_or_comment(lines[next])) next++;
      if (next >= lines.size()) {
        s.first_line = s.last_line = s.line;
      } else {
        size_t last = next;
        size_t base = indent_of(lines[next]);
        while (last + 1 < lines.size()) {
          if (ends_with_backslash(lines[last])) {
            last++;
            continue;
          }
          const std::string& cand = lines[last + 1];
          size_t ci = indent_of(cand);
          if (yaml && (ci == std::string::npos || ci > base ||
                       (ci == base && cand[ci] == '-' && lines[next][base] != '-'))) {
            last++;
            continue;
          }
          break;
        }
        s.first_line = static_cast<int>(next + 1);
        s.last_line = static_cast<int>(last + 1);
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Suppression> annotation_suppressions(std::string_view value, int line, int first_line, int last_line) {
  std::vector<Suppression> out;
  std::string v(value);
  size_t i = 0;
  while (i <= v.size()) {
    size_t j = v.find_first_of(";\n", i);
    if (j == std::string::npos) j = v.size();
    std::string entry = trim(std::string_view(v).substr(i, j - i));
    if (!entry.empty()) {
      Suppression s = parse_allow_entry(entry);
      s.line = line;
      s.first_line = first_line;
      s.last_line = last_line;
      out.push_back(std::move(s));
    }
    i = j + 1;
  }
  return out;
}

void apply_suppressions(std::vector<LintFinding>& findings, const std::vector<Suppression>& sups, FindingSink& sink) {
  for (const auto& s : sups) {
    std::string problem;
    if (s.rule_ids.empty())
      problem = "suppression names no rule id (SW-LINT-NNN)";
    else if (s.reason.empty())
      problem = "suppression of " + s.rule_ids.front() + " has no reason: say why the exception was accepted";
    for (const auto& id : s.rule_ids)
      if (problem.empty() && !find_rule(id)) problem = "suppression names unknown rule " + id;
    if (!problem.empty()) {
      sink.add(s.line, rule::kBadSuppression, problem);
      continue;
    }
    for (auto& f : findings) {
      if (f.suppressed || f.line < s.first_line || f.line > s.last_line) continue;
      if (std::find(s.rule_ids.begin(), s.rule_ids.end(), f.rule_id) == s.rule_ids.end()) continue;
      f.suppressed = true;
      f.suppression_reason = s.reason;
      f.suppression_line = s.line;
    }
  }
}

}  // namespace sockwarden::lint
