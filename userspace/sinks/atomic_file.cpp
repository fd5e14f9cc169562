#include "sinks/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace sockwarden {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

int write_file_atomically(const std::string& path, const std::string& text, unsigned mode) {
  auto slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..") return EISDIR;
  Fd d{::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) return errno;

  // First choice: an unnamed file, linked in under a random name only once
  // it is complete (linkat cannot replace, so it gets a fresh name that is
  // then renamed over PATH).
  Fd f{::openat(d.fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode)};
  std::string tmp_name;
  if (f.fd < 0) {
    // No O_TMPFILE (some filesystems): mkostemp under a name nobody can
    // predict, created with O_EXCL, so nothing planted can be opened.
    std::string tmpl = dir + "/." + base + ".XXXXXX";
    f.fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (f.fd < 0) return errno;
    tmp_name = tmpl.substr(tmpl.find_last_of('/') + 1);
    if (::fchmod(f.fd, mode) != 0) {
      int err = errno;
      ::unlinkat(d.fd, tmp_name.c_str(), 0);
      return err;
    }
  }
  int err = write_all(f.fd, text);
  if (!err && tmp_name.empty()) {
    // Link the finished O_TMPFILE under a random name; retry on collision.
    // linkat never follows or replaces what sits at the name, so even a
    // guessed name only costs a retry; getrandom keeps it unguessable anyway.
    std::string proc = "/proc/self/fd/" + std::to_string(f.fd);
    for (int attempt = 0; attempt < 16 && tmp_name.empty(); attempt++) {
      uint64_t r = 0;
      if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) r ^= static_cast<uint64_t>(attempt) << 32 | ::getpid();
      char name[64];
      snprintf(name, sizeof name, ".%.20s.%016llx", base.c_str(), static_cast<unsigned long long>(r));
      if (::linkat(AT_FDCWD, proc.c_str(), d.fd, name, AT_SYMLINK_FOLLOW) == 0)
        tmp_name = name;
      else if (errno != EEXIST)
        err = errno;
      if (err) break;
    }
    if (!err && tmp_name.empty()) err = EEXIST;
  }
  if (err) {
    if (!tmp_name.empty()) ::unlinkat(d.fd, tmp_name.c_str(), 0);
    return err;
  }
  int rc = ::close(f.fd);
  f.fd = -1;
  if (rc != 0 || ::renameat(d.fd, tmp_name.c_str(), d.fd, base.c_str()) != 0) {
    err = errno;
    ::unlinkat(d.fd, tmp_name.c_str(), 0);
    return err;
  }
  return 0;
}

}  // namespace sockwarden
