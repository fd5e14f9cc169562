#include "classify/caller_classifier.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace sockwarden {

namespace {

struct Classification {
  std::vector<std::string> flags;
  std::string expected_by;
};

// Every fact the classification reads, with separators that cannot occur in
// them (NUL), plus the policy's version and the host's namespaces.
std::string facts_key(const CallerFacts& f, const CallerPolicy& policy, const HostNamespaces& host) {
  std::string k;
  k.reserve(256);
  auto num = [&](uint64_t v) {
    k += std::to_string(v);
    k += '\0';
  };
  auto str = [&](const std::string& s) {
    k += s;
    k += '\0';
  };
  num(policy.version());
  num(host.pidns);
  num(host.mntns);
  num(f.uid);
  num(f.in_container);
  num(f.container_trusted);
  num(f.pidns);
  num(f.mntns);
  str(f.executable);
  str(f.container_name);
  str(f.container_image);
  str(f.cgroup_path);
  num(f.ancestor_executables.size());
  for (const auto& a : f.ancestor_executables) str(a);
  return k;
}

// A busy caller is classified once, not on every event: the glob rules
// (fnmatch over every rule) were a tenth of the agent's CPU per event. Only
// the capture loop calls this (one thread); the memo is bounded.
constexpr size_t kMemoMax = 4096;

}  // namespace

void classify_caller(Event& e, const CallerPolicy& policy, const HostNamespaces& host) {
  if (e.action == "lost" || e.action == "reply") return;
  CallerFacts f;
  f.executable = e.process->executable;
  for (const auto& a : e.process->ancestors) f.ancestor_executables.push_back(a.executable);
  f.uid = e.raw.uid;
  f.in_container = e.container.has_value();
  if (e.container) {
    f.container_name = e.container->name;
    f.container_image = e.container->image;
    f.container_trusted = e.container->trusted;
  }
  f.pidns = e.raw.pidns;
  f.mntns = e.raw.mntns;
  f.cgroup_path = e.cgroup_path;

  static thread_local std::unordered_map<std::string, Classification> memo;
  std::string key = facts_key(f, policy, host);
  auto it = memo.find(key);
  if (it == memo.end()) {
    Classification c;
    c.flags = caller_flags(f, host, policy);
    if (const ExpectedCaller* rule = policy.match(f, host)) c.expected_by = to_spec(*rule);
    if (memo.size() >= kMemoMax) memo.clear();
    it = memo.emplace(std::move(key), std::move(c)).first;
  }
  for (const auto& flag : it->second.flags) e.flags.push_back(flag);
  if (!it->second.expected_by.empty()) e.expected_by = it->second.expected_by;
}

}  // namespace sockwarden
