// JSON lines on standard output (systemd's journal, a pipe, a terminal).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "sinks/output.h"

namespace sockwarden {

class StdoutOutput : public Output {
 public:
  explicit StdoutOutput(int fd = 1) : fd_(fd) {}
  bool write(const OutputRecord& r) override;
  size_t write_batch(const std::vector<OutputRecord>& rs) override;

 private:
  int fd_;
  bool failing_ = false;
};

// writev of the line and its newline, through short writes and EINTR.
// Returns 0 or the errno of the failure.
int write_line_fd(int fd, std::string_view line);
// The JSON lines rs[from, to), each followed by its newline, written with writev(2) straight
// from the queued lines (up to IOV_MAX iovecs a call), through short writes and EINTR.
// Returns 0 or the errno of the failure.
int write_lines_fd(int fd, const std::vector<OutputRecord>& rs, size_t from, size_t to);

}  // namespace sockwarden
