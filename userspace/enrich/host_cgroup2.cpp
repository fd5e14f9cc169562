#include "enrich/host_cgroup2.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "enrich/mountinfo.h"

namespace sockwarden {

namespace {

// include/linux/proc_ns.h: the inode of the initial cgroup namespace.
constexpr uint64_t kInitCgroupNsIno = 0xEFFFFFFBu;
// The kernfs root node of a cgroup2 hierarchy: cgroup id 1.
constexpr uint64_t kCgroup2RootIno = 1;
// Candidates confirmed through cgroup.procs per lookup, and bytes read of one.
constexpr size_t kMaxCandidates = 16;
constexpr size_t kMaxProcsBytes = 1 << 20;

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  std::string c;
  std::istringstream in(path);
  while (std::getline(in, c, '/'))
    if (!c.empty() && c != ".") out.push_back(c);
  return out;
}

// The namespace inode from the link's text ("cgroup:[4026531835]"), which is
// what stat() on it returns on a real proc, and what a test's proc tree can hold.
uint64_t ns_ino(const std::string& link) {
  char buf[64];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  std::string text(buf, static_cast<size_t>(n));
  const std::string prefix = "cgroup:[";
  if (text.compare(0, prefix.size(), prefix) != 0 || text.back() != ']') return 0;
  std::string digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
  if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoull(digits);
}

// The directory ROOT/COMPS... opened component by component without
// following symlinks (ROOT itself is trusted configuration).
int open_below(const std::string& root, const std::vector<std::string>& comps) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (const auto& c : comps) {
    if (fd < 0) return -1;
    if (c == "..") {
      ::close(fd);
      return -1;
    }
    int next = ::openat(fd, c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ::close(fd);
    fd = next;
  }
  return fd;
}

// Whether PID is listed in DIRFD's cgroup.procs (pids as the agent's pid
// namespace sees them: the host's, with hostPID).
bool lists_pid(int dirfd, pid_t pid) {
  int fd = ::openat(dirfd, "cgroup.procs", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {  // never a FIFO planted in a test tree
    ::close(fd);
    return false;
  }
  std::string text;
  char buf[8192];
  ssize_t n;
  while (text.size() < kMaxProcsBytes && (n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const std::string want = std::to_string(pid);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line == want) return true;
  return false;
}

}  // namespace

Cgroup2View cgroup2_view(const std::string& dir) {
  struct statfs sfs {};
  struct stat st {};
  if (::statfs(dir.c_str(), &sfs) != 0 || static_cast<unsigned long>(sfs.f_type) != CGROUP2_SUPER_MAGIC)
    return Cgroup2View::NotCgroup2;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Cgroup2View::NotCgroup2;
  return st.st_ino == kCgroup2RootIno ? Cgroup2View::Whole : Cgroup2View::Subtree;
}

std::optional<Cgroup2Choice> locate_host_cgroup2(const Cgroup2Sources& src,
                                                 const std::function<Cgroup2View(const std::string&)>& view) {
  if (!src.explicit_root.empty()) {
    switch (view(src.explicit_root)) {
      case Cgroup2View::Whole: return Cgroup2Choice{src.explicit_root, true, "--host-cgroup2"};
      case Cgroup2View::Subtree:
        throw std::invalid_argument(src.explicit_root +
                                    " shows only part of the cgroup2 hierarchy (mounted from inside a cgroup "
                                    "namespace?): bind-mount the host's cgroup2 mount point itself");
      case Cgroup2View::NotCgroup2: throw std::invalid_argument(src.explicit_root + " is not a cgroup2 mount");
    }
  }
  std::vector<std::string> own;
  for (const auto& m : read_mountinfo(src.own_mountinfo))
    if (m.fstype == "cgroup2") own.push_back(m.mount_point);
  // The mount point as it resolves now: a path shadowed by a later mount
  // shows that mount, so each is judged by what it shows, not by mountinfo.
  for (const auto& p : own)
    if (view(p) == Cgroup2View::Whole) return Cgroup2Choice{p, true, "mount"};
  if (!src.host_root.empty()) {
    std::vector<std::string> host_points;
    if (!src.host_mountinfo.empty())
      for (const auto& m : read_mountinfo(src.host_mountinfo))
        if (m.fstype == "cgroup2") host_points.push_back(m.mount_point);
    if (host_points.empty()) host_points = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    for (const auto& p : host_points) {
      if (p.empty() || p[0] != '/') continue;
      std::string under = src.host_root + p;
      if (view(under) == Cgroup2View::Whole) return Cgroup2Choice{under, true, "--host-root"};
    }
  }
  for (const auto& p : own)
    if (view(p) == Cgroup2View::Subtree) return Cgroup2Choice{p, false, "mount"};
  return std::nullopt;
}

CgroupNamespaceCheck check_cgroup_namespace(const std::string& proc_root, int host_pid) {
  CgroupNamespaceCheck c;
  c.self_ino = ns_ino(proc_root + "/self/ns/cgroup");
  std::string host_link = proc_root + "/" + std::to_string(host_pid > 0 ? host_pid : 1) + "/ns/cgroup";
  c.host_ino = ns_ino(host_link);
  c.compared_with = host_link;
  if (c.host_ino == 0) {
    c.host_ino = kInitCgroupNsIno;
    c.compared_with = "the initial cgroup namespace";
  }
  c.private_ns = c.self_ino != 0 && c.self_ino != c.host_ino;
  return c;
}

std::string v2_cgroup_line(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.compare(0, 3, "0::") == 0) return line.substr(3);
  return "";
}

std::vector<CgroupNode> list_cgroups(const std::string& root, const CgroupWalkLimits& limits) {
  std::vector<CgroupNode> nodes;
  walk_cgroup_tree(root, limits, [&](uint64_t ino, const std::string& path) {
    nodes.push_back({ino, path});
    return true;
  });
  return nodes;
}

std::optional<CgroupNode> find_process_cgroup(const std::string& root, const std::vector<CgroupNode>& nodes,
                                              const std::string& ns_path, pid_t pid) {
  std::vector<std::string> tail = components(ns_path);
  size_t up = 0;
  while (up < tail.size() && tail[up] == "..") ++up;
  tail.erase(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(up));
  // "/" (the agent's own namespace root) or a path with ".." further in: no
  // distinctive name to look for.
  if (tail.empty() || pid <= 0) return std::nullopt;
  for (const auto& c : tail)
    if (c == "..") return std::nullopt;
  size_t tried = 0;
  for (const auto& n : nodes) {
    std::vector<std::string> comps = components(n.path);
    if (comps.size() < tail.size() || !std::equal(tail.rbegin(), tail.rend(), comps.rbegin())) continue;
    if (++tried > kMaxCandidates) break;
    int fd = open_below(root, comps);
    if (fd < 0) continue;
    struct stat st {};
    bool same = ::fstat(fd, &st) == 0 && st.st_ino == n.id;  // still the directory the walk saw
    bool member = same && lists_pid(fd, pid);
    ::close(fd);
    if (member) return n;
  }
  return std::nullopt;
}

}  // namespace sockwarden
