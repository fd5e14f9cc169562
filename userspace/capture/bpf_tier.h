// Hook tiers: the same events from different kernel hooks, picked at startup
// by trial loads (never by kernel version numbers).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sockwarden {

enum class TierId { Lsm, Fentry, SocketTp, SyscallTp };

struct TierInfo {
  TierId id;
  const char* name;   // as printed in events ("tier") and accepted by --tier
  const char* hooks;  // what it attaches to
  const char* needs;  // what the kernel must offer
  uint16_t abi_id;    // enum sw_tier: what its records carry in sw_event.tier
  const char* enforcement;  // what --enforce can do in this tier
};

// Best first.
const std::vector<TierInfo>& tier_table();
const TierInfo* find_tier(const std::string& name);
// The tier a record came from (sw_event.tier), or nullptr.
const TierInfo* find_tier(uint16_t abi_id);

struct TierSettings {
  uint32_t self_tgid = 0;
  uint32_t payload_cap = 4096;
  uint32_t reply_cap = 512;  // a create reply's body (the new id) ends near byte 300
  uint32_t ringbuf_bytes = 8u << 20;  // power of two, >= page size
  std::string cgroup2_root;           // where cgroup/* programs attach
  // Per-process flood budget (bpf/flood_budget.bpf.h), records per second;
  // 0 turns a bucket off. Bursts are twice the rate.
  uint32_t flood_send_rate = 5000;
  uint32_t flood_open_rate = 500;
};

// Which build of a tier's BPF object the loader uses (bpf/common.bpf.h):
// Current needs task storage (5.11) and bpf_loop (5.17); Linux510 is the same
// source built with -DSW_COMPAT_510 for kernels that lack them (5.10-5.16).
enum class BpfVariant { Current, Linux510 };

struct VariantChoice {
  BpfVariant variant = BpfVariant::Current;
  std::string name;                  // "current" or "5.10"
  std::vector<std::string> missing;  // kernel features the current build needs and this kernel lacks
  std::string forced;                // non-empty: SOCKWARDEN_BPF_VARIANT chose it, not the probes
};

// Probes the kernel once (libbpf feature probes: task-storage map, bpf_loop)
// and picks the variant; SOCKWARDEN_BPF_VARIANT=5.10|current overrides the
// probes (tests run the 5.10 build on newer kernels this way).
const VariantChoice& bpf_variant();
// "current" or "5.10", as doctor and the docs name the builds.
const char* bpf_variant_name(BpfVariant v);

// What the 5.10 variant of a tier does less well than the current one (empty
// for Current, and for socket-tp, which has no 5.10 variant).
std::vector<std::string> variant_weaker(BpfVariant v);

class TierLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A loaded and attached tier. Owns the skeleton and every link (RAII):
// destroying it detaches everything.
class BpfTier {
 public:
  virtual ~BpfTier() = default;
  BpfTier(const BpfTier&) = delete;
  BpfTier& operator=(const BpfTier&) = delete;

  virtual const TierInfo& info() const = 0;
  int events_fd() const { return events_fd_; }
  int watched_fd() const { return watched_fd_; }
  int watched_abstract_fd() const { return watched_abstract_fd_; }
  int names_fd() const { return names_fd_; }
  int counters_fd() const { return counters_fd_; }
  int proc_events_fd() const { return proc_events_fd_; }
  // Enforcement policy maps (bpf/enforce.bpf.h).
  int policy_active_fd() const { return policy_active_fd_; }
  int policy_fd() const { return policy_fd_; }
  int policy_uids_fd() const { return policy_uids_fd_; }
  int policy_cgroups_fd() const { return policy_cgroups_fd_; }
  int policy_exes_fd() const { return policy_exes_fd_; }
  int flood_state_fd() const { return flood_state_fd_; }
  // Optional programs this kernel refused (e.g. cgroup/connect_unix before 6.7), with why.
  const std::vector<std::string>& skipped_programs() const { return skipped_; }
  // The build of the BPF object that loaded.
  BpfVariant variant() const { return variant_; }

 protected:
  BpfTier() = default;
  int events_fd_ = -1, watched_fd_ = -1, watched_abstract_fd_ = -1, names_fd_ = -1, counters_fd_ = -1, proc_events_fd_ = -1;
  int policy_active_fd_ = -1, policy_fd_ = -1, policy_uids_fd_ = -1, policy_cgroups_fd_ = -1, policy_exes_fd_ = -1;
  int flood_state_fd_ = -1;
  std::vector<std::string> skipped_;
  BpfVariant variant_ = BpfVariant::Current;
};

// Open, load and attach one tier; throws TierLoadError with libbpf's reason.
std::unique_ptr<BpfTier> load_tier(TierId id, const TierSettings& settings);

// Is "bpf" among the kernel's active LSMs (/sys/kernel/security/lsm)? BPF LSM
// programs load and attach on kernels where it is not, but never run there.
// Mounts securityfs for the read if it is not mounted (and unmounts it).
// nullopt: the list could not be read.
std::optional<bool> bpf_lsm_active(std::string* detail = nullptr);

// The kernel's active LSMs as listed in /sys/kernel/security/lsm ("lockdown,
// capability,...,bpf"), mounting securityfs for the read as bpf_lsm_active
// does; nullopt if it cannot be read.
std::optional<std::string> read_active_lsms();

// Is NAME a member of the running kernel's enum bpf_attach_type (its BTF)?
bool kernel_has_attach_type(const std::string& name);

// One kernel facility the tiers use, probed on the running kernel (doctor).
struct KernelFeature {
  std::string name;       // "ringbuf", "task_storage", ...
  std::string what;       // human text, with the Linux version that brought it
  bool present = false;
  bool floor = false;     // without it no tier can load (below the supported floor)
  std::string without;    // what its absence costs (tier, variant or capability)
};
// Probes: vmlinux BTF, the BPF ring buffer, task storage, bpf_loop, the socket-layer
// tracepoints and cgroup/connect_unix (BTF names), via libbpf's feature probes.
std::vector<KernelFeature> probe_kernel_features();

// Route libbpf's messages to spdlog (debug chatter only when verbose).
void route_libbpf_logs(bool verbose);

}  // namespace sockwarden
