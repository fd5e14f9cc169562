// Writes a CompiledPolicy into the kernel's policy maps without a window in
// which the kernel sees a half-written policy: the new rules go to the
// inactive slot, then one aligned u32 (policy_active) flips to it; the old
// slot is emptied only by the next apply (bpf/events.h, struct sw_policy).
#pragma once
#include <cstdint>

#include "enforce/policy_compiler.h"

namespace sockwarden {

class BpfTier;

class PolicyMaps {
 public:
  explicit PolicyMaps(const BpfTier& tier);
  // Throws std::runtime_error when a map update fails (e.g. a table is full);
  // the active slot is then left as it was.
  void apply(const CompiledPolicy& p);
  uint32_t active_slot() const { return active_; }

 private:
  template <class Key>
  void clear_slot(int fd, uint32_t slot);

  int active_fd_, policy_fd_, uids_fd_, cgroups_fd_, exes_fd_;
  uint32_t active_ = 0;
};

}  // namespace sockwarden
