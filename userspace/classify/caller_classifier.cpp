#include "classify/caller_classifier.h"

#include <string>
#include <vector>

namespace sockwarden {

namespace {

// One memo entry: the facts it classified, and its result. The process's
// executable and ancestors are matched through its serial: a shared
// ProcessInfo gets a new one whenever its data changes (model/event.h).
struct MemoEntry {
  bool used = false;
  uint64_t policy_version = 0;
  uint64_t process_serial = 0;
  HostNamespaces host;
  CallerFacts facts;
  std::vector<FlagName> flags;
  std::string expected_by;
};

// A busy caller is classified once, not on every event: the glob rules
// (fnmatch over every rule) were a tenth of the agent's CPU per event, and
// then building a string key of every fact was (issue 18's profile: 12%).
// The memo is direct-mapped on the numeric facts: a hit is a few integer and
// string compares, no allocation; a collision replaces the entry. Only the
// capture loop calls this (one thread); the memo is bounded.
constexpr size_t kMemoSlots = 1024;

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

CallerFacts facts_of(const Event& e) {
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
  return f;
}

// Whether m classified e's facts: what facts_of(e) would give, compared without building it.
bool same_facts(const MemoEntry& m, const Event& e, const CallerPolicy& policy, const HostNamespaces& host) {
  static const std::string kNone;
  const ContainerInfo* c = e.container ? &*e.container : nullptr;
  const CallerFacts& f = m.facts;
  return m.used && m.policy_version == policy.version() && m.process_serial == e.process->serial &&
         m.host.pidns == host.pidns && m.host.mntns == host.mntns && f.uid == e.raw.uid && f.pidns == e.raw.pidns &&
         f.mntns == e.raw.mntns && f.in_container == (c != nullptr) && f.container_trusted == (c ? c->trusted : false) &&
         f.container_name == (c ? c->name : kNone) && f.container_image == (c ? c->image : kNone) &&
         f.cgroup_path == e.cgroup_path;
}

}  // namespace

void classify_caller(Event& e, const CallerPolicy& policy, const HostNamespaces& host) {
  if (e.action == "lost"sv || e.action == "reply"sv) return;
  static thread_local std::vector<MemoEntry> memo(kMemoSlots);
  uint64_t h = mix(mix(mix(policy.version(), e.process->serial), e.raw.uid),
                   (uint64_t{e.raw.pidns} << 32) | e.raw.mntns);
  h = mix(h, e.cgroup_path.size());
  MemoEntry& m = memo[h % kMemoSlots];
  // An unset process (serial 0) is classified every time: its facts are not all in the key.
  if (e.process->serial == 0 || !same_facts(m, e, policy, host)) {
    m.used = true;
    m.policy_version = policy.version();
    m.process_serial = e.process->serial;
    m.host = host;
    m.facts = facts_of(e);
    m.flags = caller_flags(m.facts, host, policy);
    const ExpectedCaller* rule = policy.match(m.facts, host);
    m.expected_by = rule ? to_spec(*rule) : std::string();
  }
  for (const auto& flag : m.flags) e.flags.push_back(flag);
  if (!m.expected_by.empty()) e.expected_by = m.expected_by;
}

}  // namespace sockwarden
