// A bounded walk over a cgroup2 hierarchy (or a test tree standing in for one).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace sockwarden {

struct CgroupWalkLimits {
  // Directories below the root. systemd + Kubernetes nest ~6 deep, nested
  // containers (kind, Docker-in-Docker) add a few levels each.
  size_t max_depth = 32;
  // Directories visited per walk, root included. A node runs a few thousand
  // cgroups; whoever may create cgroups (a delegated subtree, a container
  // with a writable cgroupfs) must not make one walk unbounded.
  size_t max_entries = 200000;
};

struct CgroupWalkResult {
  bool root_ok = false;   // the root could be opened as a directory
  size_t visited = 0;     // directories reported to the visitor, root included
  bool hit_depth = false; // a subtree was cut at max_depth
  bool hit_entries = false;  // the walk stopped at max_entries
};

// Calls visit(inode, path) for the root ("/") and every directory below it,
// depth first; path is relative to the root ("/a/b"). visit returns false to
// stop the walk. Each directory is opened with openat(O_NOFOLLOW|O_DIRECTORY)
// relative to its parent's fd, so a symlink (or a rename racing the walk) can
// never lead it out of the tree, and directories on another filesystem (a
// mount inside the tree) are not entered: inode numbers are only unique within
// one filesystem. A directory that vanishes or cannot be read mid-walk (cgroups
// come and go all the time) skips that subtree only.
CgroupWalkResult walk_cgroup_tree(const std::string& root, const CgroupWalkLimits& limits,
                                  const std::function<bool(uint64_t inode, const std::string& path)>& visit);

}  // namespace sockwarden
