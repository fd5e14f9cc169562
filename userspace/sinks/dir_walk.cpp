#include "sinks/dir_walk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace sockwarden {

int open_dir_nofollow(const std::string& dir, bool create, int* fd, std::string* bad) {
  *fd = -1;
  const bool absolute = !dir.empty() && dir[0] == '/';
  int cur = ::open(absolute ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0) return errno;
  std::string walked = absolute ? "" : ".";
  size_t pos = 0;
  while (pos <= dir.size()) {
    size_t end = dir.find('/', pos);
    if (end == std::string::npos) end = dir.size();
    std::string comp = dir.substr(pos, end - pos);
    pos = end + 1;
    if (comp.empty() || comp == ".") continue;
    walked += "/" + comp;
    // O_NOFOLLOW with O_DIRECTORY (not O_PATH, which would hand back the link
    // itself): a symlink fails with ELOOP, a non-directory with ENOTDIR.
    int next = ::openat(cur, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur, comp.c_str(), 0750) != 0 && errno != EEXIST) {
        int err = errno;
        ::close(cur);
        if (bad) *bad = walked;
        return err;
      }
      next = ::openat(cur, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      int err = errno;
      // Some kernels report a symlink opened with O_DIRECTORY|O_NOFOLLOW as
      // ENOTDIR: name it for what it is.
      struct stat st {};
      if (err == ENOTDIR && ::fstatat(cur, comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        err = ELOOP;
      ::close(cur);
      if (bad) *bad = walked;
      return err;
    }
    ::close(cur);
    cur = next;
  }
  *fd = cur;
  return 0;
}

}  // namespace sockwarden
