// Which cgroup2 hierarchy the agent resolves callers through, and whether the
// agent runs in a cgroup namespace of its own (a Kubernetes pod on a cgroup v2
// node: docs/kubernetes-cgroupns.md).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "enrich/cgroup_walk.h"

namespace sockwarden {

enum class Cgroup2View {
  NotCgroup2,  // missing, or not a cgroup2 filesystem
  Subtree,     // cgroup2, but its root is some cgroup below the hierarchy's root
  Whole,       // the hierarchy's root: every cgroup of the host is below it
};

// What DIR shows. A cgroup2 mount made inside a cgroup namespace is rooted at
// the namespace's root cgroup, so it only shows that subtree; the hierarchy's
// own root is the kernfs root node, inode (= cgroup id) 1.
Cgroup2View cgroup2_view(const std::string& dir);

struct Cgroup2Sources {
  std::string explicit_root;  // --host-cgroup2 ("" = find one)
  std::string own_mountinfo = "/proc/self/mountinfo";
  std::string host_root;   // normalized --host-root ("" = none)
  std::string host_mountinfo;  // the host process's mountinfo ("" = unknown: try the usual paths)
};

struct Cgroup2Choice {
  std::string root;    // where the agent reaches the hierarchy
  bool whole = false;  // false: only a subtree (callers outside it stay unattributed)
  std::string how;     // for the log: "--host-cgroup2", "mount", "--host-root"
};

// In order: --host-cgroup2 (which must show the whole hierarchy, else
// std::invalid_argument), the agent's own cgroup2 mounts (the host's
// /sys/fs/cgroup mounted into the pod, anywhere), then the host's cgroup2
// mount points under --host-root (/proc/1/root/sys/fs/cgroup: no mount
// needed), and last the agent's first cgroup2 mount even if it is a subtree.
// nullopt when there is no cgroup2 at all (cgroup v1 only).
// view: injectable for tests (a temp tree cannot have inode 1).
std::optional<Cgroup2Choice> locate_host_cgroup2(
    const Cgroup2Sources& src, const std::function<Cgroup2View(const std::string&)>& view = cgroup2_view);

// Whether the agent's cgroup namespace differs from the host's: the host
// process's (--host-root's pid, else 1) when its link is readable, else the
// kernel's initial cgroup namespace, whose inode is the constant
// PROC_CGROUP_INIT_INO. In a private namespace /proc/PID/cgroup paths are
// relative to the agent's own cgroup ("0::/", "0::/../other").
struct CgroupNamespaceCheck {
  bool private_ns = false;
  uint64_t self_ino = 0, host_ino = 0;
  std::string compared_with;  // "/proc/1/ns/cgroup" or "the initial cgroup namespace"
};
CgroupNamespaceCheck check_cgroup_namespace(const std::string& proc_root, int host_pid);

// The v2 line of /proc/PID/cgroup text ("0::/docker/<id>" -> "/docker/<id>"), "" if none.
std::string v2_cgroup_line(const std::string& proc_cgroup_text);

// A /proc/PID/cgroup path the agent cannot use as a path in the hierarchy:
// relative to a cgroup namespace's root ("/../x"). Paths read from inside a
// private namespace are always relative, even without "..".
inline bool is_namespace_relative(const std::string& path, bool private_ns) {
  return private_ns || path == "/.." || path.rfind("/../", 0) == 0;
}

// Finds, in the hierarchy at ROOT, the cgroup of PID given its
// namespace-relative path NS_PATH: the directories whose path ends with
// NS_PATH's components after its leading ".." (a container's directory name
// carries its unique id), each confirmed by PID being listed in its
// cgroup.procs (so a look-alike name elsewhere cannot claim the process).
// nodes: one walk of ROOT (inode, path), shared between lookups.
// Returns (host path, cgroup id).
struct CgroupNode {
  uint64_t id;
  std::string path;
};
std::vector<CgroupNode> list_cgroups(const std::string& root, const CgroupWalkLimits& limits = {});
std::optional<CgroupNode> find_process_cgroup(const std::string& root, const std::vector<CgroupNode>& nodes,
                                              const std::string& ns_path, pid_t pid);

}  // namespace sockwarden
