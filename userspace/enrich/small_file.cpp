#include "enrich/small_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sockwarden {
namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

int open_regular_file(const std::string& path, size_t max_bytes, bool follow_symlinks,
                      std::optional<uint32_t> owner) {
  // O_PATH first: it runs no driver's open handler, so a device planted at
  // the path (/dev/watchdog arms a reboot timer on open) or a FIFO is
  // refused by fstat before anything opens it for reading.
  int flags = O_PATH | O_CLOEXEC | (follow_symlinks ? 0 : O_NOFOLLOW);
  Fd p{::open(path.c_str(), flags)};
  if (p.fd < 0) return -1;
  struct stat st {};
  if (::fstat(p.fd, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  if (owner && st.st_uid != *owner) return -1;
  if (st.st_size < 0 || static_cast<unsigned long long>(st.st_size) > max_bytes) return -1;
  // Reopen that same inode (the magic link cannot be swapped for another
  // file) for reading; O_NONBLOCK as a second guard.
  Fd f{::open(("/proc/self/fd/" + std::to_string(p.fd)).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
  if (f.fd < 0) return -1;
  struct stat st2 {};
  if (::fstat(f.fd, &st2) != 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev) return -1;
  int fd = f.fd;
  f.fd = -1;
  return fd;
}

std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes, bool follow_symlinks,
                                           std::optional<uint32_t> owner) {
  Fd f{open_regular_file(path, max_bytes, follow_symlinks, owner)};
  if (f.fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return std::nullopt;

  // The size can change between fstat and read (runtimes replace these files
  // by rename, but a writer may also truncate or append): read to EOF, and
  // refuse if it grew past the limit meanwhile.
  std::string out;
  out.resize(static_cast<size_t>(st.st_size) + 1);
  size_t used = 0;
  for (;;) {
    if (used == out.size()) {
      if (out.size() > max_bytes) return std::nullopt;
      out.resize(std::min(out.size() * 2, max_bytes + 1));
    }
    ssize_t n = ::read(f.fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > max_bytes) return std::nullopt;
  out.resize(used);
  return out;
}

}  // namespace sockwarden
