// JSON lines appended to a file, with size-based rotation (path -> path.1 ->
// ... -> path.N) and a choice of fsync. Survives a full disk and a removed log
// directory: failed writes are dropped and counted, the file is reopened (its
// directory recreated) with backoff, and writing resumes without a restart.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/output.h"
#include "sinks/output_config.h"

namespace sockwarden {

class FileOutput : public Output {
 public:
  // Throws UserError when the file cannot be opened at start (the user must
  // fix the path); later failures are retried.
  explicit FileOutput(const OutputConfig& cfg);
  ~FileOutput() override;
  bool write(const OutputRecord& r) override;
  size_t write_batch(const std::vector<OutputRecord>& rs) override;
  void idle() override;
  void close() override;

  uint64_t fsyncs() const { return fsyncs_; }

 private:
  using Clock = std::chrono::steady_clock;
  int open_file();  // 0 or errno
  bool ensure_open();
  void rotate();
  void fail(const char* what, int err);
  void sync();
  // rs[from, to) as whole lines, the file then new_size bytes long; false = failed, cut off.
  bool append(const std::vector<OutputRecord>& rs, size_t from, size_t to, uint64_t new_size);
  void wrote();  // after a successful write: leave the failing state, mark dirty

  OutputConfig cfg_;
  int fd_ = -1;
  std::string bad_component_;  // set by open_file on ELOOP: the symlinked path
  uint64_t size_ = 0;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool failing_ = false;
  bool dirty_ = false;
  Clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{100};
  Clock::time_point last_sync_ = Clock::now();
  Clock::time_point last_check_ = Clock::now();
  uint64_t fsyncs_ = 0;
};

}  // namespace sockwarden
