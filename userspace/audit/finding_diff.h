// Continuous audit (`sockwarden run`): which findings are new and which are
// gone since the previous evaluation, keyed so that the same exposure keeps
// the same key from one run to the next.
//
// The key is the rule id plus a pid-less identity of the subject:
//   - a container's finding: the container id (not its name, which can be
//     renamed) and the socket path, so the configured (hostconfig) and the
//     live (mountinfo) view of one socket mount are the same finding;
//   - anything else: the subject with "(pid N)" / "pid N" taken out (a daemon
//     restarted on the same port is the same exposure), plus the socket path.
// Evidence and titles are not part of the key: they carry pids and process
// counts that change between runs without the exposure changing.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "audit/finding.h"

namespace sockwarden::audit {

std::string finding_key(const Finding& f);

// Findings a continuous audit reports. A host process's live connection
// (info, one per client connection and pid) churns with every `docker ps`
// and is what the capture path already reports as connect events: it is
// left out. A container's live connection is a finding (high) and stays.
bool tracked_continuously(const Finding& f);

struct FindingDiff {
  std::vector<Finding> added;     // in current, not in previous
  std::vector<Finding> resolved;  // in previous, not in current (as last seen)
  size_t unchanged = 0;
};

// The tracked findings of one evaluation against the previous ones; the
// state is replaced by the current set.
class FindingTracker {
 public:
  FindingDiff update(const std::vector<Finding>& current);
  const std::map<std::string, Finding>& current() const { return by_key_; }

 private:
  std::map<std::string, Finding> by_key_;
};

}  // namespace sockwarden::audit
