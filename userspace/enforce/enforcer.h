// Opt-in enforcement (--enforce): keeps the kernel's policy maps in step with
// the expected-caller policy, and says what the loaded tier can enforce.
//   lsm, fentry  deny in the connect hook by the listener's inode: complete
//   socket-tp    deny in cgroup/connect_unix by the path's basename: an alias
//                with another name gets through (a warning says so)
//   syscall-tp   cannot deny: --enforce is refused with an error
// Callers in a container are denied unless a rule allows them; callers on
// the host are allowed unless --deny-host-callers (then they need a rule
// too). Monitor mode (the default) never denies.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "classify/caller_policy.h"
#include "enforce/enforcement_marker.h"
#include "enforce/policy_compiler.h"
#include "enforce/policy_maps.h"

namespace sockwarden {

class BpfTier;
struct TierInfo;

struct EnforceOptions {
  bool enforce = false;
  bool deny_host = false;
  std::string state_dir = "/run/sockwarden";
};

class Enforcer {
 public:
  // Throws UserError(kExitUnsupported) when --enforce is asked of a tier that
  // cannot deny.
  Enforcer(const BpfTier& tier, EnforceOptions opts, PolicyInputs inputs);

  // Applies the first policy. With --enforce, returns the gap a previous
  // enforcing agent left when it died (nullopt after a clean exit).
  std::optional<EnforcementGap> start(const CallerPolicy& policy);
  // Recompiles (new containers, binaries, a reloaded policy) and applies the
  // result if it changed. A failure keeps the policy in force and is logged.
  void refresh(const CallerPolicy& policy);
  // Clean exit: the marker goes (the policy goes with the BPF programs).
  void stop();

  bool enforcing() const { return opts_.enforce; }
  // "full", "path-only" or "none" (monitor mode: "monitor").
  std::string level() const;
  uint64_t applies() const { return applies_; }

 private:
  const TierInfo& tier_;
  EnforceOptions opts_;
  PolicyInputs inputs_;
  PolicyMaps maps_;
  EnforcementMarker marker_;
  std::optional<CompiledPolicy> current_;
  uint64_t applies_ = 0;
};

}  // namespace sockwarden
