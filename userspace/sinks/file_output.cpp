#include "sinks/file_output.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "capture/errors.h"
#include "sinks/dir_walk.h"
#include "sinks/stdout_output.h"

namespace sockwarden {

static std::string parent_dir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

static std::string base_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

FileOutput::FileOutput(const OutputConfig& cfg) : cfg_(cfg) {
  if (int err = open_file()) {
    if (err == ELOOP && !bad_component_.empty())
      throw UserError(kExitUsage,
                      "refusing output file " + cfg_.path + ": " + bad_component_ +
                          " is a symbolic link (the agent writes as root and follows no symlink on the way to "
                          "its output)",
                      "give the real path (without symlinked directories) of a directory only root can write");
    throw UserError(kExitUsage, errno_text("cannot open output file " + cfg_.path, err),
                    "check that the path is writable by root");
  }
}

FileOutput::~FileOutput() { close(); }

int FileOutput::open_file() {
  // The directory is walked without following symlinks (dir_walk.h): a
  // symlinked component anywhere on the path would let whoever can write
  // its parent redirect the agent's writes.
  bad_component_.clear();
  int dfd = -1;
  if (int err = open_dir_nofollow(parent_dir(cfg_.path), true, &dfd, &bad_component_)) return err;
  // O_NOFOLLOW: whoever can write the log directory must not turn the
  // agent (root) into a writer of /etc/shadow through a symlink. O_NONBLOCK
  // and the fstat: a FIFO planted there is refused instead of blocking the
  // output thread (regular files ignore O_NONBLOCK).
  int fd = ::openat(dfd, base_name(cfg_.path).c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
  int open_err = errno;
  ::close(dfd);
  if (fd < 0) {
    if (open_err == ELOOP) bad_component_ = cfg_.path;
    return open_err;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return EINVAL;
  }
  fd_ = fd;
  size_ = static_cast<uint64_t>(st.st_size);
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  return 0;
}

void FileOutput::fail(const char* what, int err) {
  if (!failing_) spdlog::error("output {}: {}; dropping events and retrying", cfg_.name, errno_text(what, err));
  failing_ = true;
  retry_at_ = Clock::now() + backoff_;
  // A local file recovers fast once space is freed: retry at least every second.
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(1000));
}

bool FileOutput::ensure_open() {
  if (failing_ && Clock::now() < retry_at_) return false;
  if (fd_ >= 0) return true;
  if (int err = open_file()) {
    fail("reopening the file", err);
    return false;
  }
  return true;
}

void FileOutput::rotate() {
  sync();
  ::close(fd_);
  fd_ = -1;
  // Every step through one directory fd: the names are resolved in the
  // directory the log was written to, even if a path component is swapped
  // meanwhile. rename(2) and unlink(2) act on a planted symlink itself, never
  // on its target, so rotation cannot be redirected either.
  // The directory fd comes from the same no-symlink walk as the open: a
  // directory component swapped for a symlink since then is refused too.
  std::string base = base_name(cfg_.path);
  int dfd = -1;
  std::string bad;
  if (open_dir_nofollow(parent_dir(cfg_.path), false, &dfd, &bad) != 0)
    return;  // gone or now a symlink: ensure_open recreates it or refuses
  if (cfg_.max_files == 0) {
    ::unlinkat(dfd, base.c_str(), 0);
  } else {
    for (uint32_t i = cfg_.max_files; i > 1; i--)
      ::renameat(dfd, (base + "." + std::to_string(i - 1)).c_str(), dfd, (base + "." + std::to_string(i)).c_str());
    ::renameat(dfd, base.c_str(), dfd, (base + ".1").c_str());
  }
  ::close(dfd);
}

void FileOutput::sync() {
  if (fd_ >= 0 && dirty_) {
    ::fdatasync(fd_);
    fsyncs_++;
  }
  dirty_ = false;
  last_sync_ = Clock::now();
}

bool FileOutput::write(const OutputRecord& r) {
  if (!ensure_open()) return false;
  const uint64_t len = r.json->size() + 1;
  if (cfg_.max_size_bytes && size_ > 0 && size_ + len > cfg_.max_size_bytes) {
    rotate();
    if (!ensure_open()) return false;
  }
  if (int err = write_line_fd(fd_, *r.json)) {
    // A partial line would corrupt the file for every reader: cut it off.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    fail("writing", err);
    return false;
  }
  size_ += len;
  wrote();
  if (cfg_.fsync == FsyncMode::EveryEvent) sync();
  return true;
}

bool FileOutput::append(const std::vector<OutputRecord>& rs, size_t from, size_t to, uint64_t new_size) {
  if (int err = write_lines_fd(fd_, rs, from, to)) {
    // A partial line would corrupt the file for every reader: cut it off.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    fail("writing", err);
    return false;
  }
  size_ = new_size;
  wrote();
  return true;
}

// Lines up to the next rotation point go out in one writev(2); a failed write
// drops the lines of that write (cut off, counted by the caller).
size_t FileOutput::write_batch(const std::vector<OutputRecord>& rs) {
  // Durability per event was asked for: one write + fdatasync each.
  if (cfg_.fsync == FsyncMode::EveryEvent) return Output::write_batch(rs);
  size_t ok = 0, i = 0;
  while (i < rs.size()) {
    if (!ensure_open()) return ok;
    size_t j = i;
    uint64_t size = size_;
    while (j < rs.size()) {
      const uint64_t len = rs[j].json->size() + 1;
      if (cfg_.max_size_bytes && size > 0 && size + len > cfg_.max_size_bytes) break;
      size += len;
      j++;
    }
    if (j == i) {  // the file is full: rotate before the next line
      rotate();
      continue;
    }
    if (append(rs, i, j, size)) ok += j - i;
    i = j;
  }
  return ok;
}

void FileOutput::wrote() {
  if (failing_) spdlog::info("output {}: writing again", cfg_.name);
  failing_ = false;
  backoff_ = std::chrono::milliseconds(100);
  dirty_ = true;
}

void FileOutput::idle() {
  auto now = Clock::now();
  if (cfg_.fsync == FsyncMode::Interval && dirty_ &&
      now - last_sync_ >= std::chrono::milliseconds(cfg_.fsync_interval_ms))
    sync();
  // Someone removed or rotated the file (or its directory) under us: writes
  // to the old inode would vanish. Reopen at the configured path.
  if (fd_ >= 0 && now - last_check_ >= std::chrono::seconds(1)) {
    last_check_ = now;
    struct stat st {};
    if (::lstat(cfg_.path.c_str(), &st) != 0 || st.st_ino != ino_ || st.st_dev != dev_) {
      spdlog::warn("output {}: {} was removed or replaced, reopening it", cfg_.name, cfg_.path);
      ::close(fd_);
      fd_ = -1;
      failing_ = false;
      ensure_open();
    }
  }
}

void FileOutput::close() {
  if (fd_ < 0) return;
  sync();
  ::close(fd_);
  fd_ = -1;
}

}  // namespace sockwarden
