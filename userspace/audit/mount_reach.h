// Which other mount namespaces (containers, sandboxes) can reach a runtime
// socket: the socket itself, or a directory above it, bind-mounted in.
//
// Matched by identity, never by name: the socket's path inside its
// filesystem (from the host's mountinfo) is looked up in each namespace's
// mountinfo by device and mount root, and every candidate is confirmed by
// resolving it inside the namespace's root (openat2 RESOLVE_IN_ROOT, so the
// container's own symlinks cannot point the check back at the host) and
// comparing device and inode with the host's socket.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/finding.h"
#include "audit/process_context.h"
#include "audit/socket_inventory.h"
#include "enrich/mountinfo.h"

namespace sockwarden::audit {

struct MountReach {
  std::string socket_path;  // the host's path
  uint64_t socket_ino = 0;
  uint64_t mntns = 0;
  std::vector<pid_t> pids;     // every process in that mount namespace
  ProcessRef process;          // the first of them, described
  std::string path_inside;     // where the socket is inside the namespace
  std::string mount_point;     // the mount that brings it in
  std::string mount_source;    // that mount's root within the host filesystem
  bool socket_itself = false;  // the socket was mounted (not a directory above it)
};

// Where the socket file sits within its filesystem: (root of the host mount
// it is on) + (path below that mount point). nullopt if no host mount of its
// device contains it. Pure (tested from mountinfo text).
std::optional<std::string> path_in_filesystem(const std::vector<MountInfo>& host_mounts, unsigned dev_major,
                                              unsigned dev_minor, const std::string& host_realpath);

// Candidate paths of fs_path inside a namespace with these mounts (pure):
// (mount point, path inside, whether the mount root is fs_path itself).
struct Candidate {
  const MountInfo* mount;
  std::string path_inside;
  bool socket_itself;
};
std::vector<Candidate> candidates_in(const std::vector<MountInfo>& ns_mounts, unsigned dev_major, unsigned dev_minor,
                                     const std::string& fs_path);

// True if `path_inside`, resolved within pid's root directory
// (<proc_root>/<pid>/root), is the inode (dev, ino).
bool same_inode_in_root(const std::string& proc_root, pid_t pid, const std::string& path_inside, dev_t dev, ino_t ino);

// Scans every process's mount namespace but host_mntns (the auditor's own).
// host_mountinfo: normally <proc_root>/self/mountinfo.
std::vector<MountReach> find_mount_reach(const std::vector<RuntimeSocket>& sockets, const std::string& proc_root,
                                         const std::string& host_mountinfo, uint64_t host_mntns,
                                         ProcessContext& context);

// Container: critical. Another process's mount namespace: high.
std::vector<Finding> mount_reach_findings(const std::vector<MountReach>& reach);

}  // namespace sockwarden::audit
