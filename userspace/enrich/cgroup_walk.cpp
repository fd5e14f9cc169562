#include "enrich/cgroup_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace sockwarden {

namespace {

struct Walker {
  const CgroupWalkLimits& limits;
  const std::function<bool(uint64_t, const std::string&)>& visit;
  dev_t dev = 0;
  CgroupWalkResult result;
  bool stopped = false;

  // Takes ownership of fd. Holds at most one fd per level (<= max_depth + 1).
  void walk(int fd, const std::string& rel, size_t depth) {
    DIR* d = ::fdopendir(fd);
    if (!d) {
      ::close(fd);
      return;
    }
    while (!stopped) {
      errno = 0;
      dirent* e = ::readdir(d);
      if (!e) break;
      const char* name = e->d_name;
      if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
      // cgroupfs fills d_type; only DT_UNKNOWN (some other filesystems) needs the open to tell.
      if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
      if (depth + 1 > limits.max_depth) {
        result.hit_depth = true;
        continue;
      }
      if (result.visited >= limits.max_entries) {
        result.hit_entries = true;
        stopped = true;
        break;
      }
      // O_PATH first: a directory we may not list is still a cgroup to
      // report (its inode needs only search permission on the parent).
      int where = ::openat(::dirfd(d), name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (where < 0) continue;  // a symlink (ELOOP/ENOTDIR), a file, or gone since readdir
      struct stat st {};
      if (::fstat(where, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_dev != dev) {
        ::close(where);
        continue;
      }
      std::string child_rel = (rel == "/" ? "" : rel) + "/" + name;
      ++result.visited;
      if (!visit(st.st_ino, child_rel)) {
        ::close(where);
        stopped = true;
        break;
      }
      // Reopened through the O_PATH fd: the very directory just reported,
      // even if a rename put something else under that name meanwhile.
      int child = ::openat(where, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(where);
      if (child >= 0) walk(child, child_rel, depth + 1);
    }
    ::closedir(d);
  }
};

}  // namespace

CgroupWalkResult walk_cgroup_tree(const std::string& root, const CgroupWalkLimits& limits,
                                  const std::function<bool(uint64_t inode, const std::string& path)>& visit) {
  Walker w{limits, visit, 0, {}, false};
  // The root itself is the agent's configuration (it may legitimately be
  // reached through /proc/1/root, a magic link), so it is opened normally;
  // everything below it is not followed.
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return w.result;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || limits.max_entries == 0) {
    ::close(fd);
    return w.result;
  }
  w.result.root_ok = true;
  w.dev = st.st_dev;
  w.result.visited = 1;
  if (!visit(st.st_ino, "/")) {
    ::close(fd);
    return w.result;
  }
  w.walk(fd, "/", 0);
  return w.result;
}

}  // namespace sockwarden
