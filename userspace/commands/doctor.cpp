#include "commands/doctor.h"

#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <ostream>

#include "capture/capture.h"
#include "capture/errors.h"
#include "commands/rules_report.h"
#include "enrich/mountinfo.h"
#include "enrich/small_file.h"
#include "events.h"

namespace sockwarden {

namespace {

constexpr const char* kBtfPath = "/sys/kernel/btf/vmlinux";

// What --enforce gets in each tier (the same split as Enforcer::level, which
// refuses syscall-tp outright: tracepoints cannot deny).
const char* enforcement_level(TierId id) {
  switch (id) {
    case TierId::Lsm:
    case TierId::Fentry: return "full";
    case TierId::SocketTp: return "path-only";
    case TierId::SyscallTp: return "none";
  }
  return "none";
}

// Where each tier reads a send's bytes and whether it sees io_uring (docs/tiers.md's matrix):
// the same on every kernel, named here so that a weaker tier says so.
const char* payload_source(TierId id) {
  switch (id) {
    case TierId::Lsm:
    case TierId::Fentry:
      return "the caller's buffer, read when the send returns (after the kernel's copy; another thread can "
             "rewrite it in between)";
    case TierId::SocketTp:
      return "the kernel's skb copy (the caller's buffer, flagged, when the skb is gone or in page frags)";
    case TierId::SyscallTp: return "the caller's buffer, read at sys_exit (not the kernel's copy)";
  }
  return "";
}
const char* io_uring_seen(TierId id) {
  return id == TierId::SyscallTp ? "blind (no syscall per io_uring send)" : "seen";
}

// Connects the kernel refuses (no listener, EACCES) on this kernel, for a tier that loaded.
std::string refused_connects(TierId id, const std::vector<std::string>& without) {
  if (id == TierId::SyscallTp) return "seen, with the errno (sys_exit of connect)";
  for (const auto& w : without)
    if (w.rfind("cgroup/connect_unix", 0) == 0) return "UNSEEN: without " + w;
  return "seen as refused (cgroup/connect_unix; errno not visible)";
}

// Effective capabilities the tiers and the caller attribution depend on.
std::vector<std::pair<std::string, bool>> effective_capabilities() {
  static const std::pair<const char*, int> kCaps[] = {
      {"CAP_BPF", CAP_BPF},           {"CAP_PERFMON", CAP_PERFMON},       {"CAP_SYS_ADMIN", CAP_SYS_ADMIN},
      {"CAP_NET_ADMIN", CAP_NET_ADMIN}, {"CAP_SYS_PTRACE", CAP_SYS_PTRACE},
  };
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  bool ok = syscall(SYS_capget, &hdr, data) == 0;
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& [name, cap] : kCaps)
    out.emplace_back(name, ok && ((data[cap / 32].effective >> (cap % 32)) & 1u));
  return out;
}

// Is the abstract socket NAME ("@name") listening in the agent's network
// namespace? /proc/net/unix prints abstract names with a leading '@'; the
// name is the last field and may itself contain spaces.
bool abstract_socket_listed(const std::string& name) {
  std::ifstream in("/proc/self/net/unix");
  std::string line;
  const std::string tail = " " + name;
  while (std::getline(in, line))
    if (line.size() >= tail.size() && line.compare(line.size() - tail.size(), tail.size(), tail) == 0) return true;
  return false;
}

DoctorSocketSpec check_spec(const std::string& spec, bool from_default, const WatchList& wl) {
  DoctorSocketSpec s;
  s.spec = spec;
  s.from_default = from_default;
  s.abstract = !spec.empty() && spec[0] == '@';
  s.glob = !s.abstract && spec.find_first_of("*?[") != std::string::npos;
  if (s.abstract) {
    DoctorSocketPath p;
    p.path = spec;
    p.exists = p.is_socket = abstract_socket_listed(spec);
    s.paths.push_back(std::move(p));
    return s;
  }
  for (const auto& path : wl.expand(spec)) {
    DoctorSocketPath p;
    p.path = path;
    struct stat st {};
    p.exists = wl.stat_host_path(path, &st);
    p.is_socket = p.exists && S_ISSOCK(st.st_mode);
    if (p.is_socket) {
      p.inode = st.st_ino;
      p.dev = kernel_dev(st.st_dev);
    }
    s.paths.push_back(std::move(p));
  }
  return s;
}

}  // namespace

std::string DoctorReport::selected() const {
  for (const auto& t : tiers)
    if (t.loads) return t.name;
  return "";
}

bool DoctorReport::below_floor() const {
  for (const auto& f : features)
    if (f.floor && !f.present) return true;
  return false;
}

int DoctorReport::exit_code() const {
  if (check_code != 0) return check_code;
  return selected().empty() ? kExitUnsupported : kExitOk;
}

DoctorReport collect_doctor(const DoctorOptions& opts) {
  for (const auto& s : opts.sockets) {
    auto err = WatchList::validate_spec(s);
    if (!err.empty()) throw UserError(kExitUsage, "--socket '" + s + "': " + err);
  }
  std::string root_error;
  DoctorReport r;
  r.host_root = normalize_host_root(opts.host_root, &root_error);
  if (!root_error.empty()) throw UserError(kExitUsage, "--host-root " + root_error);

  utsname u{};
  uname(&u);
  r.kernel_release = u.release;
  r.kernel_machine = u.machine;
  r.euid = ::geteuid();
  r.capabilities = effective_capabilities();
  // BTF and cgroup v2 are checked in the agent's own mount namespace, never
  // under --host-root: that is where libbpf reads vmlinux BTF and where `run`
  // attaches its cgroup programs (the image mounts both from the host).
  r.btf_path = kBtfPath;
  r.btf_present = ::access(kBtfPath, R_OK) == 0;
  try {
    check_privileges_and_btf(kBtfPath);
  } catch (const UserError& e) {
    r.check_code = e.code();
    r.check_error = e.what();
    r.check_hint = e.hint();
  }
  r.cgroup2 = find_cgroup2_mount("/proc/self/mountinfo");
  r.bpf_lsm = bpf_lsm_active(&r.bpf_lsm_detail);
  // The LSM list is one kernel-wide fact: a container without securityfs (and
  // without CAP_SYS_ADMIN to mount it) can still read it under the host root.
  r.lsm_list = read_active_lsms();
  r.lsm_source = "/sys/kernel/security/lsm";
  if (!r.lsm_list && !r.host_root.empty()) {
    r.lsm_source = r.host_root + "/sys/kernel/security/lsm";
    r.lsm_list = read_small_file(r.lsm_source, 4096);
    if (r.lsm_list)
      while (!r.lsm_list->empty() && (r.lsm_list->back() == '\n' || r.lsm_list->back() == '\0')) r.lsm_list->pop_back();
  }

  // Feature probes load tiny programs and maps: they need the privileges checked above.
  if (r.check_code == 0 || r.check_code == kExitUnsupported) r.features = probe_kernel_features();
  if (r.check_code == 0) r.variant = bpf_variant();

  for (const auto& t : tier_table()) {
    DoctorTier d;
    d.name = t.name;
    d.hooks = t.hooks;
    d.needs = t.needs;
    d.enforcement = t.enforcement;
    d.enforcement_level = enforcement_level(t.id);
    if (r.check_code == 0) {
      d.tried = true;
      TierSettings s;
      s.self_tgid = static_cast<uint32_t>(getpid());
      s.cgroup2_root = r.cgroup2.value_or("");
      s.ringbuf_bytes = 4096 * 16;
      std::vector<ProbeStep> steps;
      try {
        auto cap = Capture::open(t.name, s, &steps);  // detached again when cap goes
        d.loads = true;
        d.without = cap->bpf().skipped_programs();
        d.variant = bpf_variant_name(cap->bpf().variant());
        d.payload_source = payload_source(t.id);
        d.io_uring = io_uring_seen(t.id);
        d.refused_connects = refused_connects(t.id, d.without);
        d.weaker = variant_weaker(cap->bpf().variant());
      } catch (const UserError& e) {
        for (const auto& st : steps)
          if (!st.ok && !st.reason.empty()) d.reasons.push_back(st.reason);
        // Loaded, then failed after the load (e.g. the ring buffer reader): say so.
        if (d.reasons.empty()) d.reasons.push_back(e.what());
      }
    } else {
      d.reasons.push_back("not tried: " + r.check_error);
    }
    r.tiers.push_back(std::move(d));
  }

  auto specs = default_socket_specs();
  const size_t defaults = specs.size();
  specs.insert(specs.end(), opts.sockets.begin(), opts.sockets.end());
  WatchList wl(specs, self_netns_ino(), r.host_root);
  r.resolved = wl.resolve();
  for (size_t i = 0; i < specs.size(); i++) r.sockets.push_back(check_spec(specs[i], i < defaults, wl));
  return r;
}

void print_doctor_text(std::ostream& out, const DoctorReport& r) {
  out << "kernel:        " << r.kernel_release << " (" << r.kernel_machine << ")\n";
  if (r.check_code == 0) {
    out << "privileges:    ok (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)\n";
    out << "BTF:           ok (/sys/kernel/btf/vmlinux)\n";
  } else {
    out << "privileges/BTF: FAIL: " << r.check_error << "\n  fix: " << r.check_hint << "\n";
  }
  out << "cgroup v2:     " << (r.cgroup2 ? *r.cgroup2 : std::string("NOT MOUNTED (socket-tp needs it for cgroup/connect_unix)"))
      << "\n";
  out << "tracefs/bpffs: not needed by any tier (tp_btf and cgroup links need neither)\n";
  out << "BPF LSM:       " << (!r.bpf_lsm ? "unknown" : *r.bpf_lsm ? "active" : "not active") << " (" << r.bpf_lsm_detail
      << ")\n";
  if (!r.features.empty()) {
    // The floor: Linux 5.10 with BTF (Debian 11, Amazon Linux 2, RHEL 9, Ubuntu 22.04 and later).
    out << "kernel floor:  " << (r.below_floor() ? "NOT MET" : "ok") << " (Linux 5.10 with BTF and the BPF ring buffer)\n";
    out << "kernel features:\n";
    for (const auto& f : r.features) {
      out << "  " << (f.present ? "yes" : "NO ") << "  " << f.what << "\n";
      if (!f.present) out << "         without it: " << f.without << "\n";
    }
  }
  if (!r.variant.name.empty()) {
    out << "BPF build:     " << r.variant.name;
    if (!r.variant.forced.empty())
      out << " (forced by " << r.variant.forced << ")";
    else if (!r.variant.missing.empty()) {
      out << " (this kernel lacks:";
      for (size_t i = 0; i < r.variant.missing.size(); i++) out << (i ? ", " : " ") << r.variant.missing[i];
      out << ")";
    }
    out << "\n";
  }
  if (r.check_code == 0) {
    out << "tiers (best first, trial-loaded now):\n";
    for (const auto& t : r.tiers) {
      if (t.loads) {
        out << "  " << t.name << ": LOADS  [" << t.hooks << "]\n";
        out << "      enforcement: " << t.enforcement << "\n";
        out << "      refused connects: " << t.refused_connects << "\n";
        out << "      payload source: " << t.payload_source << "\n";
        out << "      io_uring: " << t.io_uring << "\n";
        if (t.variant != "current") out << "      build: " << t.variant << "\n";
        for (const auto& w : t.weaker) out << "      weaker here: " << w << "\n";
        for (const auto& skipped : t.without) out << "      without " << skipped << "\n";
      } else {
        out << "  " << t.name << ": no     [" << t.hooks << "]\n";
        for (const auto& reason : t.reasons) out << "      " << reason << "\n";
        out << "      needs: " << t.needs << "\n";
      }
    }
  }
  const std::string chosen = r.selected();
  out << "selected tier: " << (chosen.empty() ? "NONE" : chosen) << "\n";
  if (!r.host_root.empty()) out << "host root:     " << r.host_root << " (socket paths below are looked up under it)\n";
  out << "runtime sockets present:\n";
  if (r.resolved.empty()) out << "  none (watched paths are picked up when they appear)\n";
  for (const auto& w : r.resolved) {
    if (w.key.kind == SW_WATCH_ABSTRACT)
      out << "  " << w.path << "  abstract, netns " << w.key.netns << "\n";
    else
      out << "  " << w.path << "  inode " << w.key.ino << " dev " << (w.key.dev >> 20) << ":" << (w.key.dev & 0xfffff)
          << "\n";
  }
}

int run_doctor(std::ostream& out, const DoctorOptions& opts, const AgentOptions* agent) {
  DoctorReport r = collect_doctor(opts);
  if (opts.json) {
    out << doctor_json(r) << "\n";
    out.flush();
    return r.exit_code();
  }
  print_doctor_text(out, r);
  if (agent) {
    try {
      print_rules_in_force(out, *agent);
    } catch (const std::exception& e) {
      out << "expected callers: cannot load the rules: " << e.what() << "\n";
    }
  }
  return r.exit_code();
}

}  // namespace sockwarden
