#include "enforce/enforcer.h"

#include <spdlog/spdlog.h>

#include <cstring>

#include "capture/bpf_tier.h"
#include "capture/errors.h"

namespace sockwarden {

Enforcer::Enforcer(const BpfTier& tier, EnforceOptions opts, PolicyInputs inputs)
    : tier_(tier.info()),
      opts_(std::move(opts)),
      inputs_(std::move(inputs)),
      maps_(tier),
      marker_(opts_.state_dir) {
  if (!opts_.enforce) return;
  if (tier_.id == TierId::SyscallTp)
    throw UserError(kExitUnsupported,
                    std::string("--enforce: tier ") + tier_.name + " cannot deny connects (" + tier_.enforcement + ")",
                    "run on a kernel with BPF LSM or fentry (see 'sockwarden doctor'), or drop --enforce to monitor");
  if (tier_.id == TierId::SocketTp)
    spdlog::warn("--enforce on tier {}: {}. Use a kernel with BPF LSM or fentry for complete enforcement.", tier_.name,
                 tier_.enforcement);
}

std::string Enforcer::level() const {
  if (!opts_.enforce) return "monitor";
  return tier_.id == TierId::SocketTp ? "path-only" : "full";
}

std::optional<EnforcementGap> Enforcer::start(const CallerPolicy& policy) {
  std::optional<EnforcementGap> gap;
  if (opts_.enforce) {
    try {
      gap = marker_.claim();
    } catch (const std::exception& e) {
      throw UserError(kExitRuntime, e.what(), "pass a writable --state-dir");
    }
  }
  current_ = compile_policy(policy, opts_.enforce, opts_.deny_host, inputs_);
  try {
    maps_.apply(*current_);
    applies_++;
  } catch (const std::exception& e) {
    throw UserError(kExitRuntime, e.what());
  }
  if (opts_.enforce)
    spdlog::info("enforcing ({}): {} uid, {} executable and {} cgroup allow entries; {} callers {}", level(),
                 current_->uids.size(), current_->exes.size(), current_->cgroups.size(),
                 opts_.deny_host ? "host and container" : "container", "not allowed get EPERM");
  return gap;
}

void Enforcer::refresh(const CallerPolicy& policy) {
  if (!opts_.enforce) return;
  marker_.touch();
  CompiledPolicy next = compile_policy(policy, opts_.enforce, opts_.deny_host, inputs_);
  if (current_ && next == *current_) return;
  try {
    maps_.apply(next);
    applies_++;
    current_ = std::move(next);
    spdlog::debug("enforcement policy updated: {} uid, {} executable, {} cgroup entries", current_->uids.size(),
                  current_->exes.size(), current_->cgroups.size());
  } catch (const std::exception& e) {
    spdlog::error("enforcement policy not updated, the previous one stays in force: {}", e.what());
  }
}

void Enforcer::stop() {
  if (opts_.enforce) marker_.remove();
}

}  // namespace sockwarden
