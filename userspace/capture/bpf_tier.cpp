#include "capture/bpf_tier.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "capture/errors.h"
#include "events.h"
#include "fentry.skel.h"
#include "fentry_510.skel.h"
#include "lsm.skel.h"
#include "lsm_510.skel.h"
#include "socket_tp.skel.h"
#include "syscall_tp.skel.h"
#include "syscall_tp_510.skel.h"

namespace sockwarden {

const std::vector<TierInfo>& tier_table() {
  static const std::vector<TierInfo> table = {
      {TierId::Lsm, "lsm",
       "lsm/unix_stream_connect, lsm/socket_sendmsg, fexit/unix_stream_{connect,sendmsg}, cgroup/connect_unix",
       "BTF trampolines and \"bpf\" in the active LSMs (/sys/kernel/security/lsm)", SW_TIER_LSM,
       "full: denies in the unix_stream_connect LSM hook, by the listener's inode"},
      {TierId::Fentry, "fentry",
       "fmod_ret/security_unix_stream_connect, fentry/security_socket_sendmsg, fexit/unix_stream_{connect,sendmsg}, "
       "cgroup/connect_unix",
       "BTF trampolines (fentry/fexit/fmod_ret)", SW_TIER_FENTRY,
       "full: fmod_ret on security_unix_stream_connect, by the listener's inode"},
      {TierId::SocketTp, "socket-tp",
       "tp_btf/sk_data_ready, tp_btf/sock_send_length, cgroup/connect_unix",
       "BTF, socket-layer BTF tracepoints and cgroup/connect_unix (Linux >= 6.7)", SW_TIER_SOCKET_TP,
       "path-only: cgroup/connect_unix denies by the basename of the path the caller passed; an alias with "
       "another name gets through"},
      {TierId::SyscallTp, "syscall-tp", "tp_btf/sys_enter, tp_btf/sys_exit",
       "BTF and raw syscall tracepoints (any BTF kernel); slower, blind to io_uring", SW_TIER_SYSCALL_TP,
       "none: tracepoints cannot deny"},
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

// Skeleton traits: the generated functions of each tier's skeleton (bpftool
// names them <object>__open/__load/__destroy).
#define SW_SKELETON_TRAITS(Traits, object)                          \
  struct Traits {                                                   \
    using Skel = object;                                            \
    static Skel* open() { return object##__open(); }                \
    static int load(Skel* s) { return object##__load(s); }          \
    static void destroy(Skel* s) { object##__destroy(s); }          \
  }
SW_SKELETON_TRAITS(SocketTpSkel, socket_tp_bpf);
SW_SKELETON_TRAITS(LsmSkel, lsm_bpf);
SW_SKELETON_TRAITS(FentrySkel, fentry_bpf);
SW_SKELETON_TRAITS(SyscallTpSkel, syscall_tp_bpf);
// The 5.10 builds (-DSW_COMPAT_510) of the same sources: same maps and
// settings, no cgroup/connect_unix program.
SW_SKELETON_TRAITS(Lsm510Skel, lsm_510_bpf);
SW_SKELETON_TRAITS(Fentry510Skel, fentry_510_bpf);
SW_SKELETON_TRAITS(SyscallTp510Skel, syscall_tp_510_bpf);
#undef SW_SKELETON_TRAITS

template <class T>
class SkeletonTier final : public BpfTier {
 public:
  // skip: programs (by section) left out on this kernel, with the reason,
  // e.g. cgroup/connect_unix before Linux 6.7.
  SkeletonTier(const TierInfo& info, const TierSettings& s,
               const std::vector<std::pair<std::string, std::string>>& skip = {},
               BpfVariant variant = BpfVariant::Current)
      : info_(info) {
    variant_ = variant;
    std::vector<std::string> sections;
    for (const auto& [sec, why] : skip) {
      sections.push_back(sec);
      skipped_.push_back(sec + " (" + why + ")");
    }
    std::string error;
    if (!open_and_load(s, sections, &error)) throw TierLoadError(error);
    try {
      attach_all(s);
    } catch (...) {
      release();
      throw;
    }
    events_fd_ = bpf_map__fd(skel_->maps.events);
    watched_fd_ = bpf_map__fd(skel_->maps.watched);
    watched_abstract_fd_ = bpf_map__fd(skel_->maps.watched_abstract);
    names_fd_ = bpf_map__fd(skel_->maps.watched_names);
    counters_fd_ = bpf_map__fd(skel_->maps.counters);
    proc_events_fd_ = bpf_map__fd(skel_->maps.proc_events);
    policy_active_fd_ = bpf_map__fd(skel_->maps.policy_active);
    policy_fd_ = bpf_map__fd(skel_->maps.policy);
    policy_uids_fd_ = bpf_map__fd(skel_->maps.policy_uids);
    policy_cgroups_fd_ = bpf_map__fd(skel_->maps.policy_cgroups);
    policy_exes_fd_ = bpf_map__fd(skel_->maps.policy_exes);
    flood_state_fd_ = bpf_map__fd(skel_->maps.flood_state);
  }
  ~SkeletonTier() override { release(); }
  const TierInfo& info() const override { return info_; }

 private:
  // Every program attaches the same way: cgroup/* programs to the cgroup2
  // root (inherited by every cgroup below it), the rest by their section.
  void attach_all(const TierSettings& s) {
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
      if (!bpf_program__autoload(prog)) continue;
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
  // Opens and loads the skeleton with the `skip` sections left out. On
  // failure everything is released and *error (if given) says why.
  bool open_and_load(const TierSettings& s, const std::vector<std::string>& skip, std::string* error) {
    auto fail = [&](const std::string& why) {
      if (skel_) T::destroy(skel_);
      skel_ = nullptr;
      if (error) *error = why;
      return false;
    };
    skel_ = T::open();
    if (!skel_) return fail(errno_text("opening the BPF object", errno));
    if (skel_->rodata->abi_version != SW_ABI_VERSION) return fail("BPF object ABI version mismatch (rebuild sockwarden)");
    skel_->rodata->self_tgid = s.self_tgid;
    skel_->rodata->payload_cap = s.payload_cap;
    skel_->rodata->reply_cap = s.reply_cap;
    skel_->rodata->flood_send_rate = s.flood_send_rate;
    skel_->rodata->flood_send_burst = s.flood_send_rate * 2;
    skel_->rodata->flood_open_rate = s.flood_open_rate;
    skel_->rodata->flood_open_burst = s.flood_open_rate * 2;
    skel_->rodata->wakeup_bytes = s.ringbuf_bytes / 4;  // see ringbuf_wakeup in bpf/common.bpf.h
    if (int err = bpf_map__set_max_entries(skel_->maps.events, s.ringbuf_bytes))
      return fail(errno_text("sizing the ring buffer", err));
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
      for (const auto& sec : skip)
        if (sec == bpf_program__section_name(prog)) bpf_program__set_autoload(prog, false);
    }
    if (int err = T::load(skel_))
      return fail(errno_text("loading the BPF programs (kernel verifier or missing hook)", err));
    return true;
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

// cgroup/connect_unix exists from Linux 6.7 (BPF_CGROUP_UNIX_CONNECT in the
// kernel's enum bpf_attach_type). Without it the lsm/fentry tiers still
// work, blind to connects the kernel refuses before the listener.
std::vector<std::pair<std::string, std::string>> optional_connect_unix(BpfVariant v) {
  const bool kernel_has = kernel_has_attach_type("BPF_CGROUP_UNIX_CONNECT");
  if (!kernel_has)
    return {{"cgroup/connect_unix", "not in this kernel (Linux < 6.7): refused connects are not seen"}};
  // A kernel with the hook but forced onto the 5.10 build (SOCKWARDEN_BPF_VARIANT).
  if (v == BpfVariant::Linux510)
    return {{"cgroup/connect_unix", "not in the 5.10 build of the tier: refused connects are not seen"}};
  return {};
}

// 1 = the kernel has it, else (0: it does not, < 0: the probe failed) treated as missing.
bool probe_map(bpf_map_type type) { return libbpf_probe_bpf_map_type(type, nullptr) == 1; }
bool probe_helper(bpf_func_id id) {
  // KPROBE: libbpf cannot probe helpers for TRACING/LSM programs (they need an attach
  // target); these helpers are offered to every tracing program type alike.
  return libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, id, nullptr) == 1;
}

}  // namespace

std::optional<std::string> read_active_lsms() {
  static const char* kDir = "/sys/kernel/security";
  std::string path = std::string(kDir) + "/lsm";
  bool mounted_here = false;
  if (access(path.c_str(), R_OK) != 0) {
    // securityfs is not mounted everywhere (this project's CI machine): mount it for one read.
    if (::mount("securityfs", kDir, "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0)
      mounted_here = true;
  }
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  if (mounted_here) ::umount2(kDir, MNT_DETACH);
  std::string list = ss.str();
  while (!list.empty() && (list.back() == '\n' || list.back() == '\0')) list.pop_back();
  if (!f && list.empty()) return std::nullopt;
  return list;
}

std::optional<bool> bpf_lsm_active(std::string* detail) {
  auto read = read_active_lsms();
  if (!read) {
    if (detail) *detail = "/sys/kernel/security/lsm is not readable";
    return std::nullopt;
  }
  const std::string& list = *read;
  if (detail) *detail = "active LSMs: " + list;
  std::stringstream items(list);
  std::string item;
  while (std::getline(items, item, ','))
    if (item == "bpf") return true;
  return false;
}

namespace {
// The running kernel's BTF, parsed once (several MiB; it cannot change while we run).
// Null when the kernel has none.
const btf* kernel_btf() {
  static const std::unique_ptr<btf, void (*)(btf*)> vmlinux(btf__load_vmlinux_btf(), btf__free);
  return vmlinux.get();
}

// Is a type of this name and kind in the running kernel's BTF?
bool kernel_btf_has(const char* name, int kind) {
  const btf* vmlinux = kernel_btf();
  return vmlinux && btf__find_by_name_kind(vmlinux, name, kind) > 0;
}

// What socket-tp needs that this kernel lacks, named ("" when it has all of it).
std::string socket_tp_missing() {
  std::string missing;
  for (const char* tp : {"sk_data_ready", "sock_send_length"})
    if (!kernel_btf_has((std::string("btf_trace_") + tp).c_str(), BTF_KIND_TYPEDEF))
      missing += std::string(missing.empty() ? "" : ", ") + "tracepoint " + tp;
  if (!kernel_has_attach_type("BPF_CGROUP_UNIX_CONNECT"))
    missing += std::string(missing.empty() ? "" : ", ") + "cgroup/connect_unix (Linux 6.7)";
  return missing;
}
}  // namespace

bool kernel_has_attach_type(const std::string& name) {
  const btf* vmlinux = kernel_btf();
  if (!vmlinux) return false;
  int id = btf__find_by_name_kind(vmlinux, "bpf_attach_type", BTF_KIND_ENUM);
  if (id <= 0) return false;
  const btf_type* t = btf__type_by_id(vmlinux, id);
  const struct btf_enum* e = btf_enum(t);
  for (int i = 0; i < btf_vlen(t); i++)
    if (name == btf__name_by_offset(vmlinux, e[i].name_off)) return true;
  return false;
}

std::vector<KernelFeature> probe_kernel_features() {
  std::vector<KernelFeature> f;
  const bool btf = ::access("/sys/kernel/btf/vmlinux", R_OK) == 0;
  f.push_back({"btf", "kernel BTF, /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF; Linux >= 5.4)", btf, true,
               "no tier: every hook and CO-RE relocation needs it"});
  f.push_back({"ringbuf", "BPF ring buffer map (Linux 5.8)", probe_map(BPF_MAP_TYPE_RINGBUF), true,
               "no tier: every tier reports through it"});
  f.push_back({"task_storage", "task-storage maps and bpf_get_current_task_btf (Linux 5.11)",
               probe_map(BPF_MAP_TYPE_TASK_STORAGE), false,
               "the 5.10 build of the lsm, fentry and syscall-tp tiers is used"});
  f.push_back({"bpf_loop", "bpf_loop helper (Linux 5.17)", probe_helper(BPF_FUNC_loop), false,
               "the 5.10 build is used: the caller's fd is looked up among its first 1024 fds only"});
  const bool tps = btf && kernel_btf_has("btf_trace_sk_data_ready", BTF_KIND_TYPEDEF) &&
                   kernel_btf_has("btf_trace_sock_send_length", BTF_KIND_TYPEDEF);
  f.push_back({"socket_tracepoints", "tracepoints sk_data_ready and sock_send_length (Linux 6.x)", tps, false,
               "no socket-tp tier"});
  f.push_back({"cgroup_connect_unix", "cgroup/connect_unix attach type (Linux 6.7)",
               btf && kernel_has_attach_type("BPF_CGROUP_UNIX_CONNECT"), false,
               "no socket-tp tier; lsm and fentry do not see connects the kernel refuses before the listener"});
  return f;
}

const VariantChoice& bpf_variant() {
  static const VariantChoice choice = [] {
    VariantChoice c;
    // What the current build uses beyond 5.10, each probed (never the version number:
    // distributions backport). bpf_get_current_task_btf arrived with task storage (5.11).
    if (!probe_map(BPF_MAP_TYPE_TASK_STORAGE)) c.missing.push_back("task-storage maps (Linux 5.11)");
    if (!probe_helper(BPF_FUNC_loop)) c.missing.push_back("bpf_loop (Linux 5.17)");
    c.variant = c.missing.empty() ? BpfVariant::Current : BpfVariant::Linux510;
    if (const char* env = std::getenv("SOCKWARDEN_BPF_VARIANT"); env && *env && std::string(env) != "auto") {
      const std::string v = env;
      if (v == "5.10") {
        c.variant = BpfVariant::Linux510;
      } else if (v == "current") {
        c.variant = BpfVariant::Current;
      } else {
        spdlog::warn("SOCKWARDEN_BPF_VARIANT={}: not one of auto, current, 5.10; ignored", v);
      }
      if (v == "5.10" || v == "current") c.forced = "SOCKWARDEN_BPF_VARIANT=" + v;
    }
    c.name = bpf_variant_name(c.variant);
    return c;
  }();
  return choice;
}

const char* bpf_variant_name(BpfVariant v) { return v == BpfVariant::Current ? "current" : "5.10"; }

std::vector<std::string> variant_weaker(BpfVariant v) {
  if (v == BpfVariant::Current) return {};
  return {"caller fd: looked up among the caller's first 1024 fds only (no bpf_loop); a socket at a higher fd "
          "is reported with fd unknown"};
}

void route_libbpf_logs(bool verbose) {
  g_verbose = verbose;
  libbpf_set_print(libbpf_print);
}

std::unique_ptr<BpfTier> load_tier(TierId id, const TierSettings& settings) {
  const BpfVariant v = bpf_variant().variant;
  for (const auto& t : tier_table()) {
    if (t.id != id) continue;
    switch (id) {
      case TierId::Lsm: {
        std::string detail;
        auto active = bpf_lsm_active(&detail);
        if (!active || !*active)
          throw TierLoadError("BPF LSM is not active: " + detail +
                              " (boot with \"bpf\" in lsm=, e.g. lsm=...,bpf)");
        if (v == BpfVariant::Linux510)
          return std::make_unique<SkeletonTier<Lsm510Skel>>(t, settings, optional_connect_unix(v), v);
        return std::make_unique<SkeletonTier<LsmSkel>>(t, settings, optional_connect_unix(v));
      }
      case TierId::Fentry:
        if (v == BpfVariant::Linux510)
          return std::make_unique<SkeletonTier<Fentry510Skel>>(t, settings, optional_connect_unix(v), v);
        return std::make_unique<SkeletonTier<FentrySkel>>(t, settings, optional_connect_unix(v));
      case TierId::SocketTp: {
        // Its hooks exist from 6.7 only, which has everything the current build uses: no 5.10
        // build. Say which hook is missing instead of the verifier's or libbpf's errno.
        const std::string missing = socket_tp_missing();
        if (!missing.empty()) throw TierLoadError("not in this kernel: " + missing);
        return std::make_unique<SkeletonTier<SocketTpSkel>>(t, settings);
      }
      case TierId::SyscallTp:
        if (v == BpfVariant::Linux510)
          return std::make_unique<SkeletonTier<SyscallTp510Skel>>(
              t, settings, std::vector<std::pair<std::string, std::string>>{}, v);
        return std::make_unique<SkeletonTier<SyscallTpSkel>>(t, settings);
    }
  }
  throw TierLoadError("unknown tier");
}

}  // namespace sockwarden
