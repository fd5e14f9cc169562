// Parser for /proc/PID/mountinfo (proc(5)), used to locate the cgroup2 hierarchy.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockwarden {

struct MountInfo {
  std::string root;         // field 4: the mount's root within its filesystem
  std::string mount_point;  // field 5: where it is mounted (octal escapes decoded)
  std::string fstype;       // first field after the " - " separator
  std::string source;       // mount source, e.g. "/dev/sda1", "cgroup2"
  // field 3 "major:minor": st_dev of files on this mount (the same filesystem
  // bind-mounted elsewhere shows the same pair with a different root)
  unsigned dev_major = 0;
  unsigned dev_minor = 0;
};

// Parses mountinfo text. Malformed lines are skipped rather than failing the
// whole file: a single odd line must not cost us the cgroup2 mount.
std::vector<MountInfo> parse_mountinfo(std::string_view content);

// Reads and parses a mountinfo file; empty if it cannot be read.
std::vector<MountInfo> read_mountinfo(const std::string& mountinfo_path);

// First cgroup2 mount point in the given mountinfo file. The location differs
// between hosts (/sys/fs/cgroup on unified systems, /sys/fs/cgroup/unified on
// hybrid ones), so it is always looked up, never assumed.
std::optional<std::string> find_cgroup2_mount(const std::string& mountinfo_path);

}  // namespace sockwarden
