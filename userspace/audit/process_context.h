// Who a pid is, for the report: program, user, namespaces, container.
// Everything comes from <proc_root> so tests can point it at a temp tree.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "enrich/container_resolver.h"
#include "enrich/process_table.h"

namespace sockwarden::audit {

struct ProcessRef {
  pid_t pid = 0;
  std::string comm;
  std::string exe;
  std::string cmdline;
  uid_t uid = 0;
  uint64_t mntns = 0;  // 0 if unreadable
  uint64_t netns = 0;
  std::string cgroup;  // cgroup v2 path ("0::" line), else the first v1 path that names a container
  std::optional<ContainerInfo> container;
};

// Numeric entries of proc_root.
std::vector<pid_t> list_pids(const std::string& proc_root);

// Inode of a namespace link ("mnt:[4026531841]" -> 4026531841); 0 if unreadable.
uint64_t ns_inode(const std::string& proc_root, pid_t pid, const char* ns);

// The container path in /proc/PID/cgroup text: the "0::" path if a runtime
// layout is recognised there, else the first v1 hierarchy's path that is
// (hybrid hosts put Docker's cgroupfs containers in v1 and v2 alike), else
// the "0::" path.
std::string container_cgroup_path(const std::string& proc_cgroup_text);

// Socket inode -> the pids holding an fd on it (from /proc/*/fd).
std::map<uint64_t, std::vector<pid_t>> socket_owners(const std::string& proc_root);

class ProcessContext {
 public:
  ProcessContext(std::string proc_root, ContainerResolver& containers);
  ProcessRef describe(pid_t pid);

 private:
  std::string proc_root_;
  ProcessTable table_;
  ContainerResolver& containers_;
};

// A command line for one report line: control characters as spaces, cut at max bytes.
std::string printable_cmdline(const std::string& cmdline, size_t max = 160);

// "pid 42 python3 (/usr/bin/python3) uid 1000 in container web (local/busybox:1)"
std::string describe_process(const ProcessRef& p);

}  // namespace sockwarden::audit
