#include "classify/caller_classifier.h"

namespace sockwarden {

void classify_caller(Event& e, const CallerPolicy& policy, const HostNamespaces& host) {
  if (e.action == "lost" || e.action == "reply") return;
  CallerFacts f;
  f.executable = e.process.executable;
  for (const auto& a : e.process.ancestors) f.ancestor_executables.push_back(a.executable);
  f.uid = e.raw.uid;
  f.in_container = e.container.has_value();
  if (e.container) {
    f.container_name = e.container->name;
    f.container_image = e.container->image;
  }
  f.pidns = e.raw.pidns;
  f.mntns = e.raw.mntns;
  f.cgroup_path = e.cgroup_path;
  for (auto& flag : caller_flags(f, host, policy)) e.flags.push_back(std::move(flag));
  if (const ExpectedCaller* rule = policy.match(f)) e.expected_by = to_spec(*rule);
}

}  // namespace sockwarden
