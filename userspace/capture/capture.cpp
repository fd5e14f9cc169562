#include "capture/capture.h"

#include <algorithm>
#include <chrono>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/errors.h"
#include "capture/record_decoder.h"
#include "events.h"

namespace sockwarden {

void check_privileges_and_btf(const std::string& btf_path) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0)
    throw UserError(kExitPermission, errno_text("reading capabilities", errno));
  auto has = [&](int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1u; };
  // Since 5.8 CAP_SYS_ADMIN is split: CAP_BPF creates maps and loads programs,
  // CAP_PERFMON is what tracing programs (tp_btf, fentry, lsm) need on top, and
  // networking program types (cgroup/connect_unix) need CAP_NET_ADMIN. CAP_SYS_ADMIN
  // still implies all three. Least privilege (a container with --cap-drop ALL) is
  // therefore BPF + PERFMON (+ NET_ADMIN for socket-tp): see docs/deployment.md "Container image".
  bool admin = has(CAP_SYS_ADMIN);
  bool bpf = admin || has(CAP_BPF);
  bool perfmon = admin || has(CAP_PERFMON);
  bool net = admin || has(CAP_NET_ADMIN);
  if (!bpf || !perfmon) {
    std::string missing;
    if (!bpf) missing += " CAP_BPF";
    if (!perfmon) missing += " CAP_PERFMON";
    throw UserError(kExitPermission, "missing capabilities:" + missing,
                    "run as root (sudo sockwarden ...), or grant CAP_BPF and CAP_PERFMON (plus CAP_NET_ADMIN "
                    "for the socket-tp tier's cgroup program), or CAP_SYS_ADMIN on kernels before 5.8");
  }
  if (!net)
    spdlog::warn("no CAP_NET_ADMIN (nor CAP_SYS_ADMIN): the socket-tp tier cannot load its cgroup/connect_unix "
                 "program; grant CAP_NET_ADMIN to use it");
  if (access(btf_path.c_str(), R_OK) != 0)
    throw UserError(kExitUnsupported, "kernel without BTF: " + btf_path + " is missing",
                    "sockwarden needs a kernel built with CONFIG_DEBUG_INFO_BTF=y "
                    "(Debian, Ubuntu >= 20.10, RHEL >= 8.2 ship one)");
}

std::unique_ptr<Capture> Capture::open(const std::string& requested, const TierSettings& settings,
                                       std::vector<ProbeStep>* steps) {
  // Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK.
  rlimit rl{RLIM_INFINITY, RLIM_INFINITY};
  setrlimit(RLIMIT_MEMLOCK, &rl);

  for (const auto& t : tier_table()) {
    if (requested != "auto" && requested != t.name) continue;
    ProbeStep step{t.name, false, ""};
    try {
      auto tier = load_tier(t.id, settings);
      step.ok = true;
      if (steps) steps->push_back(step);
      return std::unique_ptr<Capture>(new Capture(std::move(tier)));
    } catch (const TierLoadError& e) {
      step.reason = e.what();
      spdlog::debug("tier {} unavailable: {}", t.name, e.what());
      if (steps) steps->push_back(step);
    }
  }
  std::string why;
  if (steps)
    for (const auto& s : *steps) why += "\n  " + s.tier + ": " + s.reason;
  throw UserError(kExitUnsupported, "no hook tier could be loaded on this kernel:" + why,
                  "run 'sockwarden doctor' for details; -v shows libbpf's verifier log");
}

Capture::Capture(std::unique_ptr<BpfTier> tier) : tier_(std::move(tier)) {
  ring_ = ring_buffer__new(tier_->events_fd(), &Capture::on_record, this, nullptr);
  if (!ring_) throw UserError(kExitRuntime, errno_text("creating the ring buffer reader", errno));
  proc_ring_ = ring_buffer__new(tier_->proc_events_fd(), &Capture::on_proc_record, this, nullptr);
  if (!proc_ring_) throw UserError(kExitRuntime, errno_text("creating the process ring buffer reader", errno));
}

Capture::~Capture() {
  if (ring_) ring_buffer__free(ring_);
  if (proc_ring_) ring_buffer__free(proc_ring_);
}

int Capture::on_proc_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<Capture*>(ctx);
  auto ev = decode_proc_record(data, size);
  if (!ev) {
    self->decode_errors_++;
    return 0;
  }
  if (self->proc_handler_) self->proc_handler_(std::move(*ev));
  return 0;
}

int Capture::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<Capture*>(ctx);
  // The exec of a process that then writes was queued on the process ring
  // first: drain it so the process table knows the caller (a 1 ms curl).
  ring_buffer__consume(self->proc_ring_);
  auto ev = decode_record(data, size);
  if (!ev) {
    self->decode_errors_++;
    return 0;
  }
  (*self->handler_)(std::move(*ev));
  return 0;
}

int Capture::poll(int timeout_ms, const Handler& handler) {
  handler_ = &handler;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  int n = 0;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int wait = static_cast<int>(std::clamp<int64_t>(left.count(), 0, kReadIntervalMs));
    // Woken for the first record after a quiet spell and for a filling ring:
    // the wait ends at the read interval at the latest, and the records
    // committed without a wake-up are read here.
    n = ring_buffer__poll(ring_, wait);
    if (n >= 0) {
      int more = ring_buffer__consume(ring_);
      n = more < 0 ? more : n + more;
    }
    ring_buffer__consume(proc_ring_);
    if (n != 0 || wait == 0 || std::chrono::steady_clock::now() >= deadline) break;
  }
  handler_ = nullptr;
  if (n < 0 && n != -EINTR) throw UserError(kExitRuntime, errno_text("polling the ring buffer", n));
  return n < 0 ? 0 : n;
}

KernelCounters Capture::counters() const {
  KernelCounters c;
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return c;
  std::vector<uint64_t> vals(ncpu);
  auto sum = [&](uint32_t idx) {
    uint64_t total = 0;
    if (bpf_map_lookup_elem(tier_->counters_fd(), &idx, vals.data()) == 0)
      for (auto v : vals) total += v;
    return total;
  };
  c.events = sum(SW_CNT_EVENTS);
  c.ringbuf_drops = sum(SW_CNT_RINGBUF_DROPS);
  c.payload_partial = sum(SW_CNT_PAYLOAD_PARTIAL);
  c.scratch_miss = sum(SW_CNT_SCRATCH_MISS);
  c.proc_drops = sum(SW_CNT_PROC_DROPS);
  c.flood_suppressed = sum(SW_CNT_FLOOD_SUPPRESSED);
  c.decode_errors = decode_errors_;
  return c;
}

static std::string key_bytes(const sw_watch_key& k) { return std::string(reinterpret_cast<const char*>(&k), sizeof k); }

static std::string describe(const ResolvedWatch& w) {
  if (w.key.kind == SW_WATCH_ABSTRACT) return w.path + " (abstract, netns " + std::to_string(w.key.netns) + ")";
  return w.path + " (inode " + std::to_string(w.key.ino) + ", dev " + std::to_string(w.key.dev >> 20) + ":" +
         std::to_string(w.key.dev & 0xfffff) + ")";
}

// Path sockets live in "watched" under (dev, ino) alone, abstract ones in
// "watched_abstract" under the whole key (bpf/common.bpf.h says why).
static sw_path_key path_key(const sw_watch_key& k) {
  sw_path_key p{};
  p.dev = k.dev;
  p.ino = k.ino;
  return p;
}

int Capture::update_watch(const sw_watch_key& key, const sw_watch_val& val) {
  if (key.kind == SW_WATCH_PATH) {
    const sw_path_key p = path_key(key);
    return bpf_map_update_elem(tier_->watched_fd(), &p, &val, BPF_ANY);
  }
  return bpf_map_update_elem(tier_->watched_abstract_fd(), &key, &val, BPF_ANY);
}

void Capture::delete_watch(const sw_watch_key& key) {
  if (key.kind == SW_WATCH_PATH) {
    const sw_path_key p = path_key(key);
    bpf_map_delete_elem(tier_->watched_fd(), &p);
  } else {
    bpf_map_delete_elem(tier_->watched_abstract_fd(), &key);
  }
}

std::vector<std::string> Capture::sync_watches(const std::vector<ResolvedWatch>& watches, std::chrono::seconds grace) {
  std::vector<std::string> changes;
  auto now = std::chrono::steady_clock::now();
  auto name_key = [](const std::string& name) {
    sw_name_key k{};
    std::memcpy(k.name, name.data(), std::min<size_t>(name.size(), SW_UNIX_PATH_MAX - 1));
    return k;
  };
  for (const auto& w : watches) {
    auto kb = key_bytes(w.key);
    auto it = installed_.find(kb);
    if (it != installed_.end()) {
      it->second.last_seen = now;
      continue;
    }
    sw_watch_val val{w.watch_id, 0};
    if (update_watch(w.key, val) != 0) {
      changes.push_back(errno_text("cannot watch " + describe(w), errno));
      continue;
    }
    for (const auto& b : w.basenames) {
      if (names_[b]++ == 0) {
        auto k = name_key(b);
        uint8_t one = 1;
        bpf_map_update_elem(tier_->names_fd(), &k, &one, BPF_ANY);
      }
    }
    installed_.emplace(kb, Installed{w, now});
    changes.push_back("watching " + describe(w));
  }
  for (auto it = installed_.begin(); it != installed_.end();) {
    if (it->second.last_seen == now || now - it->second.last_seen < grace) {
      ++it;
      continue;
    }
    delete_watch(it->second.watch.key);
    for (const auto& b : it->second.watch.basenames) {
      if (--names_[b] == 0) {
        auto k = name_key(b);
        bpf_map_delete_elem(tier_->names_fd(), &k);
        names_.erase(b);
      }
    }
    changes.push_back("stopped watching " + describe(it->second.watch) + ": socket gone");
    it = installed_.erase(it);
  }
  return changes;
}

}  // namespace sockwarden
