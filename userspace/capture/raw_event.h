// A kernel record after defensive decoding: plain C++ values, no BPF types.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sockwarden {

enum class EventKind { Connect, ConnectAttempt, Send, Reply };

// Mirrors struct sw_event (bpf/events.h) field by field.
struct RawEvent {
  EventKind kind = EventKind::Connect;
  uint16_t tier = 0;      // enum sw_tier
  uint32_t flags = 0;     // SW_F_*
  uint64_t ts_boot_ns = 0;
  uint32_t pid = 0;       // thread id
  uint32_t tgid = 0;      // process id
  uint32_t ppid = 0;
  uint32_t uid = 0;
  uint32_t euid = 0;
  uint32_t gid = 0;
  uint32_t watch_id = 0;
  uint64_t cgroup_id = 0;
  uint32_t pidns = 0, mntns = 0, netns = 0;
  int32_t fd = -1;
  uint64_t sock_ino = 0;
  uint32_t sock_dev = 0;  // kernel s_dev encoding (major << 20 | minor)
  int32_t result = 0;
  uint64_t client_sock_ino = 0;  // connection id
  uint64_t bytes = 0;
  std::string comm;
  std::string payload;    // raw captured bytes (binary-safe); sun_path for ConnectAttempt
};

// What the per-process flood budget held back from one process over a window
// (bpf/flood_budget.bpf.h; capture/flood_reader.h).
struct FloodCounts {
  uint64_t sends = 0;      // sends and replies suppressed
  uint64_t opens = 0;      // connects / first sends of new connections suppressed
  uint64_t bytes = 0;      // bytes those sends wrote
  uint64_t window_ms = 0;  // since the previous report (0: since the agent started)
};

// Mirrors struct sw_proc_event: one exec, fork or exit.
enum class ProcEventKind { Exec, Fork, Exit };

struct ProcEvent {
  ProcEventKind kind = ProcEventKind::Exec;
  uint32_t tgid = 0;
  uint32_t ppid = 0;
  uint32_t uid = 0, euid = 0, gid = 0;
  uint32_t loginuid = UINT32_MAX;   // unset
  uint32_t sessionid = UINT32_MAX;  // unset
  uint64_t start_boottime = 0;      // ns since boot
  uint64_t ts_boot_ns = 0;
  uint64_t cgroup_id = 0;           // cgroup v2 id the process runs in (0: unknown)
  // Effective capabilities, taken by the kernel at the record (exec: the new image's), so a
  // process that exits at once still has them. has_cap_effective false: not read.
  bool has_cap_effective = false;
  uint64_t cap_effective = 0;
  std::string comm;
  std::string filename;             // exec: the path passed to execve
  std::vector<std::string> args;    // exec: argv (possibly cut at 1 KiB)
  bool args_truncated = false;
};

}  // namespace sockwarden
