#include "sinks/stdout_output.h"

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

int write_all_fd(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t w = ::write(fd, data.data(), data.size());
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    data.remove_prefix(static_cast<size_t>(w));
  }
  return 0;
}

void append_lines(std::string& buf, const std::vector<OutputRecord>& rs, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) {
    buf += *rs[i].json;
    buf += '\n';
  }
}

size_t StdoutOutput::write_batch(const std::vector<OutputRecord>& rs) {
  buf_.clear();
  append_lines(buf_, rs, 0, rs.size());
  int err = write_all_fd(fd_, buf_);
  if (err) {
    if (!failing_) spdlog::error("{}", errno_text("writing events to stdout", err));
    failing_ = true;
    return 0;
  }
  failing_ = false;
  return rs.size();
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
