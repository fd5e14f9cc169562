#include "commands/rules_report.h"

#include <ostream>

#include "classify/caller_policy.h"

namespace sockwarden {

void print_rules_in_force(std::ostream& out, const AgentOptions& opts) {
  CallerPolicy policy = build_caller_policy(opts);
  out << "expected callers (" << policy.rules().size() << " rules; built-in default rules "
      << (opts.no_default_rules ? "OFF: --no-default-rules / default_rules: false" : "ON: --no-default-rules drops them")
      << "):\n";
  for (const auto& r : policy.rules()) out << "  " << to_spec(r) << "  (" << r.origin << ")\n";
  // What a rule can be fooled by, so an enforcing operator knows what the
  // allow-list is worth (exe rules are compiled to inodes of root-owned
  // files run by host processes, never of a container's or a user's copy).
  out << "  exe: rules allow only root-owned executables run in the host's mount namespace, outside containers;\n"
         "       any process running such a file (e.g. a root shell running /usr/bin/runc) is allowed\n"
         "  container:/image: rules match only containers named by root-owned runtime state\n";
}

}  // namespace sockwarden
