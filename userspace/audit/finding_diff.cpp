#include "audit/finding_diff.h"

#include <regex>
#include <set>

namespace sockwarden::audit {

namespace {

// "dockerd (pid 812) 0.0.0.0:2375" -> "dockerd 0.0.0.0:2375"; "pid 42" -> "pid".
std::string without_pids(const std::string& subject) {
  static const std::regex kPid(R"(\s*\(?\bpid [0-9]+\)?)");
  return std::regex_replace(subject, kPid, "");
}

}  // namespace

std::string finding_key(const Finding& f) {
  // \x1f (unit separator) cannot occur in paths from the audit's sources.
  std::string who = f.container_id.empty() ? without_pids(f.subject) : "container " + f.container_id;
  return f.check + '\x1f' + who + '\x1f' + f.socket_path;
}

bool tracked_continuously(const Finding& f) { return !(f.check == "live-connection" && f.container_id.empty()); }

FindingDiff FindingTracker::update(const std::vector<Finding>& current) {
  FindingDiff d;
  std::map<std::string, Finding> next;
  for (const auto& f : current) {
    if (!tracked_continuously(f)) continue;
    std::string key = finding_key(f);
    if (next.count(key)) continue;  // the first (worst: findings come sorted) represents the key
    if (by_key_.count(key)) d.unchanged++;
    else d.added.push_back(f);
    next.emplace(std::move(key), f);
  }
  // An audit-error says what could not be evaluated this time: the findings
  // it covers are unknown, not gone. A container's error keeps that
  // container's open findings; an error without a container (a whole section
  // failed) keeps every open finding. They stay open, never "resolved".
  std::set<std::string> errored_containers;
  bool section_error = false;
  for (const auto& f : current) {
    if (f.check != "audit-error") continue;
    if (f.container_id.empty()) section_error = true;
    else errored_containers.insert(f.container_id);
  }
  for (auto& [key, f] : by_key_) {
    if (next.count(key)) continue;
    if (section_error || (!f.container_id.empty() && errored_containers.count(f.container_id))) {
      d.unchanged++;
      next.emplace(key, f);
      continue;
    }
    d.resolved.push_back(f);
  }
  by_key_ = std::move(next);
  return d;
}

}  // namespace sockwarden::audit
