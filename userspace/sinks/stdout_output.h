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
  std::string buf_;  // the lines of one batch
};

// writev of the line and its newline, through short writes and EINTR.
// Returns 0 or the errno of the failure.
int write_line_fd(int fd, const std::string& line);
// write(2) of all of data, through short writes and EINTR; 0 or errno.
int write_all_fd(int fd, std::string_view data);
// The JSON lines rs[from, to), each with its newline, appended to buf.
void append_lines(std::string& buf, const std::vector<OutputRecord>& rs, size_t from, size_t to);

}  // namespace sockwarden
