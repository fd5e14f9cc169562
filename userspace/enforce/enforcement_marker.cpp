#include "enforce/enforcement_marker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "capture/errors.h"
#include "enrich/small_file.h"
#include "sinks/atomic_file.h"

namespace sockwarden {

uint64_t process_start_time(const std::string& proc_root, uint32_t pid) {
  if (pid == 0) return 0;
  auto stat = read_small_file(proc_root + "/" + std::to_string(pid) + "/stat", 4096);
  if (!stat) return 0;
  // comm (field 2) may hold spaces and ')': fields resume after the LAST ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat->substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && (rest >> field); i++)
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  return 0;
}

EnforcementMarker::EnforcementMarker(std::string state_dir, const std::string& name, std::string proc_root)
    : dir_(std::move(state_dir)), path_(dir_ + "/" + name), proc_root_(std::move(proc_root)) {}

std::optional<EnforcementGap> EnforcementMarker::claim() {
  std::optional<EnforcementGap> gap;
  struct stat st {};
  // lstat + read_small_file (O_NOFOLLOW, regular files only): a symlink or a
  // FIFO planted here is neither followed nor blocks the start.
  if (::lstat(path_.c_str(), &st) == 0) {
    EnforcementGap g;
    g.last_alive_realtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + st.st_mtim.tv_nsec;
    uint64_t start = 0;
    if (auto text = read_small_file(path_, 256)) {
      std::istringstream in(*text);
      in >> g.previous_pid >> start;
    }
    // Another agent still running with the same --state-dir is no gap. The
    // pid alone proves nothing (pids are reused, and any user can name a
    // process "sockwarden"): the process must also have started at the
    // recorded time, which the kernel sets and no process can choose.
    bool alive = g.previous_pid != 0 && static_cast<pid_t>(g.previous_pid) != ::getpid() && start != 0 &&
                 process_start_time(proc_root_, g.previous_pid) == start;
    if (!alive) gap = g;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::string text = std::to_string(::getpid()) + " " +
                     std::to_string(process_start_time(proc_root_, static_cast<uint32_t>(::getpid()))) + "\n";
  // A fresh file renamed into place: whatever was planted at the marker's
  // path (a symlink to a file root should not truncate) is replaced.
  if (int err = write_file_atomically(path_, text, 0600))
    throw std::runtime_error(errno_text("writing the agent marker " + path_ + " (--state-dir)", err));
  return gap;
}

void EnforcementMarker::touch() { ::utimensat(AT_FDCWD, path_.c_str(), nullptr, AT_SYMLINK_NOFOLLOW); }

void EnforcementMarker::remove() { ::unlink(path_.c_str()); }

}  // namespace sockwarden
