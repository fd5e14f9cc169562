// JSON lines on standard output (systemd's journal, a pipe, a terminal).
#pragma once
#include "outputs/output.h"

namespace sockwarden {

class StdoutOutput : public Output {
 public:
  explicit StdoutOutput(int fd = 1) : fd_(fd) {}
  bool write(const OutputRecord& r) override;

 private:
  int fd_;
  bool failing_ = false;
};

// writev of the line and its newline, through short writes and EINTR.
// Returns 0 or the errno of the failure.
int write_line_fd(int fd, const std::string& line);

}  // namespace sockwarden
