#include "capture/bpf_tier.h"

#include <bpf/libbpf.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>

#include "capture/errors.h"
#include "events.h"
#include "socket_tp.skel.h"
#include "syscall_tp.skel.h"

namespace sockwarden {

const std::vector<TierInfo>& tier_table() {
  static const std::vector<TierInfo> table = {
      {TierId::SocketTp, "socket-tp",
       "tp_btf/sk_data_ready, tp_btf/sock_send_length, cgroup/connect_unix",
       "BTF, socket-layer BTF tracepoints and cgroup/connect_unix (Linux >= 6.7)", SW_TIER_SOCKET_TP},
      {TierId::SyscallTp, "syscall-tp", "tp_btf/sys_enter, tp_btf/sys_exit",
       "BTF and raw syscall tracepoints (any BTF kernel); slower, blind to io_uring", SW_TIER_SYSCALL_TP},
  };
  return table;
}

const TierInfo* find_tier(const std::string& name) {
  for (const auto& t : tier_table())
    if (name == t.name) return &t;
  return nullptr;
}

const TierInfo* find_tier(uint16_t abi_id) {
  for (const auto& t : tier_table())
    if (t.abi_id == abi_id) return &t;
  return nullptr;
}

namespace {

bool g_verbose = false;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG && !g_verbose) return 0;
  char* buf = nullptr;
  int n = vasprintf(&buf, fmt, args);
  if (n < 0) return 0;
  std::string msg(buf, n);
  free(buf);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  // libbpf's own warnings during a *trial* load are expected on weaker
  // kernels; the tier prober reports the outcome, so keep them at debug.
  if (level == LIBBPF_DEBUG || !g_verbose)
    spdlog::debug("libbpf: {}", msg);
  else
    spdlog::info("libbpf: {}", msg);
  return 0;
}

// Skeleton traits: the generated functions of each tier's skeleton.
struct SocketTpSkel {
  using Skel = socket_tp_bpf;
  static Skel* open() { return socket_tp_bpf__open(); }
  static int load(Skel* s) { return socket_tp_bpf__load(s); }
  static void destroy(Skel* s) { socket_tp_bpf__destroy(s); }
};
struct SyscallTpSkel {
  using Skel = syscall_tp_bpf;
  static Skel* open() { return syscall_tp_bpf__open(); }
  static int load(Skel* s) { return syscall_tp_bpf__load(s); }
  static void destroy(Skel* s) { syscall_tp_bpf__destroy(s); }
};

template <class T>
class SkeletonTier final : public BpfTier {
 public:
  SkeletonTier(const TierInfo& info, const TierSettings& s) : info_(info) {
    skel_ = T::open();
    if (!skel_) throw TierLoadError(errno_text("opening the BPF object", errno));
    if (skel_->rodata->abi_version != SW_ABI_VERSION) {
      T::destroy(skel_);
      throw TierLoadError("BPF object ABI version mismatch (rebuild sockwarden)");
    }
    skel_->rodata->self_tgid = s.self_tgid;
    skel_->rodata->payload_cap = s.payload_cap;
    skel_->rodata->reply_cap = s.reply_cap;
    if (int err = bpf_map__set_max_entries(skel_->maps.events, s.ringbuf_bytes)) {
      T::destroy(skel_);
      throw TierLoadError(errno_text("sizing the ring buffer", err));
    }
    if (int err = T::load(skel_)) {
      T::destroy(skel_);
      throw TierLoadError(errno_text("loading the BPF programs (kernel verifier or missing hook)", err));
    }
    try {
      attach_all(s);
    } catch (...) {
      release();
      throw;
    }
    events_fd_ = bpf_map__fd(skel_->maps.events);
    watched_fd_ = bpf_map__fd(skel_->maps.watched);
    names_fd_ = bpf_map__fd(skel_->maps.watched_names);
    counters_fd_ = bpf_map__fd(skel_->maps.counters);
    proc_events_fd_ = bpf_map__fd(skel_->maps.proc_events);
  }
  ~SkeletonTier() override { release(); }
  const TierInfo& info() const override { return info_; }

 private:
  // Every program attaches the same way: cgroup/* programs to the cgroup2
  // root (inherited by every cgroup below it), the rest by their section.
  void attach_all(const TierSettings& s) {
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
      const char* sec = bpf_program__section_name(prog);
      bpf_link* link = nullptr;
      if (std::strncmp(sec, "cgroup/", 7) == 0) {
        if (s.cgroup2_root.empty()) throw TierLoadError("no cgroup v2 mount found for " + std::string(sec));
        int fd = open(s.cgroup2_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw TierLoadError(errno_text("opening cgroup2 root " + s.cgroup2_root, errno));
        link = bpf_program__attach_cgroup(prog, fd);
        int err = errno;
        close(fd);
        if (!link) throw TierLoadError(errno_text(std::string("attaching ") + sec, err));
      } else {
        link = bpf_program__attach(prog);
        if (!link) throw TierLoadError(errno_text(std::string("attaching ") + sec, errno));
      }
      links_.push_back(link);
    }
  }
  void release() {
    for (auto* l : links_) bpf_link__destroy(l);
    links_.clear();
    if (skel_) T::destroy(skel_);
    skel_ = nullptr;
  }

  const TierInfo& info_;
  typename T::Skel* skel_ = nullptr;
  std::vector<bpf_link*> links_;
};

}  // namespace

void route_libbpf_logs(bool verbose) {
  g_verbose = verbose;
  libbpf_set_print(libbpf_print);
}

std::unique_ptr<BpfTier> load_tier(TierId id, const TierSettings& settings) {
  for (const auto& t : tier_table()) {
    if (t.id != id) continue;
    switch (id) {
      case TierId::SocketTp: return std::make_unique<SkeletonTier<SocketTpSkel>>(t, settings);
      case TierId::SyscallTp: return std::make_unique<SkeletonTier<SyscallTpSkel>>(t, settings);
    }
  }
  throw TierLoadError("unknown tier");
}

}  // namespace sockwarden
