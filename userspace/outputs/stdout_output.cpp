#include "outputs/stdout_output.h"

#include <spdlog/spdlog.h>
#include <sys/uio.h>

#include <cerrno>

#include "capture/errors.h"

namespace sockwarden {

int write_line_fd(int fd, const std::string& line) {
  static const char nl = '\n';
  size_t total = line.size() + 1, done = 0;
  while (done < total) {
    iovec iov[2];
    int n = 0;
    if (done < line.size()) iov[n++] = {const_cast<char*>(line.data()) + done, line.size() - done};
    iov[n++] = {const_cast<char*>(&nl), 1};
    ssize_t w = ::writev(fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    done += static_cast<size_t>(w);
  }
  return 0;
}

bool StdoutOutput::write(const OutputRecord& r) {
  int err = write_line_fd(fd_, *r.json);
  if (err) {
    if (!failing_) spdlog::error("{}", errno_text("writing events to stdout", err));
    failing_ = true;
    return false;
  }
  failing_ = false;
  return true;
}

}  // namespace sockwarden
