#include "commands/doctor.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ostream>

#include "capture/capture.h"
#include "capture/errors.h"
#include "capture/watch_list.h"
#include "commands/rules_report.h"
#include "enrich/mountinfo.h"
#include "events.h"

namespace sockwarden {

int run_doctor(std::ostream& out, const std::vector<std::string>& extra_sockets, const AgentOptions* agent) {
  utsname u{};
  uname(&u);
  out << "kernel:        " << u.release << " (" << u.machine << ")\n";
  bool ok = true;
  int fail_code = kExitOk;
  try {
    check_privileges_and_btf();
    out << "privileges:    ok (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)\n";
    out << "BTF:           ok (/sys/kernel/btf/vmlinux)\n";
  } catch (const UserError& e) {
    out << "privileges/BTF: FAIL: " << e.what() << "\n  fix: " << e.hint() << "\n";
    ok = false;
    fail_code = e.code();
  }
  auto cg2 = find_cgroup2_mount("/proc/self/mountinfo");
  out << "cgroup v2:     " << (cg2 ? *cg2 : std::string("NOT MOUNTED (socket-tp needs it for cgroup/connect_unix)")) << "\n";
  out << "tracefs/bpffs: not needed by any tier (tp_btf and cgroup links need neither)\n";
  {
    std::string detail;
    auto lsm = bpf_lsm_active(&detail);
    out << "BPF LSM:       " << (!lsm ? "unknown" : *lsm ? "active" : "not active") << " (" << detail << ")\n";
  }

  int loadable = 0;
  std::string chosen;
  if (ok) {
    out << "tiers (best first, trial-loaded now):\n";
    for (const auto& t : tier_table()) {
      TierSettings s;
      s.self_tgid = static_cast<uint32_t>(getpid());
      s.cgroup2_root = cg2.value_or("");
      s.ringbuf_bytes = 4096 * 16;
      std::vector<ProbeStep> steps;
      try {
        auto cap = Capture::open(t.name, s, &steps);
        out << "  " << t.name << ": LOADS  [" << t.hooks << "]\n";
        out << "      enforcement: " << t.enforcement << "\n";
        for (const auto& skipped : cap->bpf().skipped_programs()) out << "      without " << skipped << "\n";
        loadable++;
        if (chosen.empty()) chosen = t.name;
      } catch (const UserError&) {
        out << "  " << t.name << ": no     [" << t.hooks << "]\n";
        for (const auto& st : steps) out << "      " << st.reason << "\n";
        out << "      needs: " << t.needs << "\n";
      }
    }
  }
  out << "selected tier: " << (chosen.empty() ? "NONE" : chosen) << "\n";

  auto specs = default_socket_specs();
  specs.insert(specs.end(), extra_sockets.begin(), extra_sockets.end());
  WatchList wl(specs, self_netns_ino());
  auto resolved = wl.resolve();
  out << "runtime sockets present:\n";
  if (resolved.empty()) out << "  none (watched paths are picked up when they appear)\n";
  for (const auto& w : resolved) {
    if (w.key.kind == SW_WATCH_ABSTRACT)
      out << "  " << w.path << "  abstract, netns " << w.key.netns << "\n";
    else
      out << "  " << w.path << "  inode " << w.key.ino << " dev " << (w.key.dev >> 20) << ":" << (w.key.dev & 0xfffff) << "\n";
  }
  if (agent) {
    try {
      print_rules_in_force(out, *agent);
    } catch (const std::exception& e) {
      out << "expected callers: cannot load the rules: " << e.what() << "\n";
    }
  }
  if (!ok) return fail_code;
  return loadable ? kExitOk : kExitUnsupported;
}

}  // namespace sockwarden
