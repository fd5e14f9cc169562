// The capture stage: probes and loads a tier, keeps the kernel's watch maps
// in sync with the watch list, and turns ring-buffer records into RawEvents.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture/bpf_tier.h"
#include "capture/raw_event.h"
#include "capture/watch_list.h"

struct ring_buffer;

namespace sockwarden {

struct ProbeStep {
  std::string tier;
  bool ok = false;
  std::string reason;  // why it failed, or "" on success
};

struct KernelCounters {
  uint64_t events = 0;           // records submitted by the kernel
  uint64_t ringbuf_drops = 0;    // records lost: ring buffer full
  uint64_t payload_partial = 0;  // writes whose bytes were partly unreadable
  uint64_t scratch_miss = 0;     // per-task state could not be allocated
  uint64_t decode_errors = 0;    // records userspace rejected (size/type)
  uint64_t proc_drops = 0;       // process lifecycle records lost: proc ring full
  uint64_t flood_suppressed = 0; // records held back by the per-process flood budget
};

// Checks that must pass before any load: root/capabilities and BTF.
// Throws UserError with the exit code and a hint.
void check_privileges_and_btf(const std::string& btf_path = "/sys/kernel/btf/vmlinux");

class Capture {
 public:
  using Handler = std::function<void(RawEvent&&)>;
  using ProcHandler = std::function<void(ProcEvent&&)>;

  // requested: "auto" or a tier name. Tries tiers best-first (or only the
  // requested one) and records every step in *steps.
  static std::unique_ptr<Capture> open(const std::string& requested, const TierSettings& settings,
                                       std::vector<ProbeStep>* steps);
  ~Capture();

  const TierInfo& tier() const { return tier_->info(); }
  const BpfTier& bpf() const { return *tier_; }

  // Install the resolved watches. Watches that disappeared stay installed for
  // 'grace' (a daemon restarting recreates its socket) and are then removed.
  // Returns a description of each change (for the log).
  std::vector<std::string> sync_watches(const std::vector<ResolvedWatch>& watches,
                                        std::chrono::seconds grace = std::chrono::seconds(10));

  // Exec/fork/exit records go here. They are always handed over before any
  // socket record that was queued after them (see on_record).
  void set_proc_handler(ProcHandler h) { proc_handler_ = std::move(h); }

  // Wait up to timeout_ms for records and hand each decoded one to the handler.
  // Returns as soon as a read finds records (within kReadIntervalMs of their
  // commit), at the timeout, or on a signal.
  int poll(int timeout_ms, const Handler& handler);

  // The kernel wakes the reader for the first record after it emptied the
  // events ring (at most once per read interval per CPU) and for a ring a
  // quarter full, and commits the rest without a wake-up (ringbuf_wakeup,
  // events_wakeup in bpf/common.bpf.h): so the rings are also read at least
  // this often, the bound on any record's wait.
  static constexpr int kReadIntervalMs = 50;

  KernelCounters counters() const;

 private:
  explicit Capture(std::unique_ptr<BpfTier> tier);
  static int on_record(void* ctx, void* data, size_t size);
  static int on_proc_record(void* ctx, void* data, size_t size);
  int update_watch(const sw_watch_key& key, const sw_watch_val& val);
  void delete_watch(const sw_watch_key& key);

  std::unique_ptr<BpfTier> tier_;
  ring_buffer* ring_ = nullptr;
  ring_buffer* proc_ring_ = nullptr;
  ProcHandler proc_handler_;
  const Handler* handler_ = nullptr;
  uint64_t decode_errors_ = 0;

  struct Installed {
    ResolvedWatch watch;
    std::chrono::steady_clock::time_point last_seen;
  };
  std::map<std::string, Installed> installed_;  // by key bytes
  std::map<std::string, int> names_;            // basename -> refcount
};

}  // namespace sockwarden
