#include "enrich/attempt_resolver.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "capture/watch_list.h"
#include "events.h"

namespace sockwarden {
namespace {

enum class Lookup { Found, Missing, CallerGone };

// Looks up an absolute path the way the caller's kernel lookup would: with
// root_link (/proc/PID/root) as "/", so absolute symlinks inside the caller's
// root (Debian's /var/run -> /run, ...) stay in that root instead of
// escaping to ours.
Lookup stat_in_root(const std::string& root_link, const std::string& path, struct stat* st) {
  int root = ::open(root_link.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return Lookup::CallerGone;  // exited (or a zombie: no root left)
  Lookup result = Lookup::Missing;
#ifdef SYS_openat2
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT;
  int fd = static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
  if (fd >= 0) {
    if (::fstat(fd, st) == 0) result = Lookup::Found;
    ::close(fd);
    ::close(root);
    return result;
  }
  if (errno != ENOSYS && errno != EPERM) {  // EPERM: a seccomp filter refusing openat2
    ::close(root);
    return result;
  }
#endif
  // Kernels before 5.6: plain lookup below the root link (absolute symlinks escape).
  ::close(root);
  if (::stat((root_link + path).c_str(), st) == 0) result = Lookup::Found;
  return result;
}

}  // namespace

std::optional<uint32_t> AttemptResolver::resolve(RawEvent& attempt) const {
  if (attempt.flags & SW_F_ABSTRACT) {
    if (attempt.watch_id == 0) return std::nullopt;
    return attempt.watch_id;
  }
  const std::string& path = attempt.payload;
  if (path.empty()) return std::nullopt;
  std::string base = proc_root_ + "/" + std::to_string(attempt.tgid);
  struct stat st {};
  if (path[0] == '/') {
    switch (stat_in_root(base + "/root", path, &st)) {
      case Lookup::Found: break;
      case Lookup::Missing: return std::nullopt;  // not there in the caller's mount namespace
      case Lookup::CallerGone:
        // The caller already exited: only a host-absolute path can still be checked.
        if (::stat(path.c_str(), &st) != 0) return std::nullopt;
        break;
    }
  } else if (::stat((base + "/cwd/" + path).c_str(), &st) != 0) {
    return std::nullopt;
  }
  auto it = watched_.find({kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)});
  if (it == watched_.end()) return std::nullopt;
  attempt.sock_dev = it->first.first;
  attempt.sock_ino = it->first.second;
  return it->second;
}

}  // namespace sockwarden
