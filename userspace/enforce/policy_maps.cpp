#include "enforce/policy_maps.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

#include "capture/bpf_tier.h"
#include "capture/errors.h"
#include "events.h"

namespace sockwarden {

PolicyMaps::PolicyMaps(const BpfTier& tier)
    : active_fd_(tier.policy_active_fd()),
      policy_fd_(tier.policy_fd()),
      uids_fd_(tier.policy_uids_fd()),
      cgroups_fd_(tier.policy_cgroups_fd()),
      exes_fd_(tier.policy_exes_fd()) {
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(active_fd_, &zero, &active_) != 0) active_ = 0;
}

template <class Key>
void PolicyMaps::clear_slot(int fd, uint32_t slot) {
  std::vector<Key> doomed;
  Key k{}, next{};
  Key* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (next.slot == slot) doomed.push_back(next);
    k = next;
    prev = &k;
  }
  for (const auto& d : doomed) bpf_map_delete_elem(fd, &d);
}

void PolicyMaps::apply(const CompiledPolicy& p) {
  const uint32_t slot = active_ ^ 1u;
  // The slot's previous contents (the policy before the current one).
  clear_slot<sw_policy_uid_key>(uids_fd_, slot);
  clear_slot<sw_policy_cgroup_key>(cgroups_fd_, slot);
  clear_slot<sw_policy_exe_key>(exes_fd_, slot);

  uint8_t one = 1;
  auto put = [&](int fd, const void* key, const char* what) {
    if (bpf_map_update_elem(fd, key, &one, BPF_ANY) != 0)
      throw std::runtime_error(errno_text(std::string("writing the enforcement policy (") + what + ")", errno));
  };
  for (uint32_t uid : p.uids) {
    sw_policy_uid_key k{slot, uid};
    put(uids_fd_, &k, "uids");
  }
  for (uint64_t id : p.cgroups) {
    sw_policy_cgroup_key k{slot, 0, id};
    put(cgroups_fd_, &k, "cgroups");
  }
  for (const auto& [dev, ino] : p.exes) {
    sw_policy_exe_key k{slot, dev, ino};
    put(exes_fd_, &k, "executables");
  }
  sw_policy pol{};
  pol.mode = p.enforce ? SW_POLICY_ENFORCE : SW_POLICY_MONITOR;
  pol.deny_host = p.deny_host ? 1 : 0;
  if (bpf_map_update_elem(policy_fd_, &slot, &pol, BPF_ANY) != 0)
    throw std::runtime_error(errno_text("writing the enforcement policy", errno));

  // The flip: one aligned 4-byte store in an array map.
  uint32_t zero = 0;
  if (bpf_map_update_elem(active_fd_, &zero, &slot, BPF_ANY) != 0)
    throw std::runtime_error(errno_text("activating the enforcement policy", errno));
  // The old slot's entries stay until the next apply() reuses the slot: a
  // connect being judged right now by the old policy still finds them.
  active_ = slot;
}

}  // namespace sockwarden
