#include "enforce/enforcement_marker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "capture/errors.h"

namespace sockwarden {

EnforcementMarker::EnforcementMarker(std::string state_dir, const std::string& name)
    : dir_(std::move(state_dir)), path_(dir_ + "/" + name) {}

std::optional<EnforcementGap> EnforcementMarker::claim() {
  std::optional<EnforcementGap> gap;
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    EnforcementGap g;
    std::ifstream in(path_);
    in >> g.previous_pid;
    g.last_alive_realtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + st.st_mtim.tv_nsec;
    // Another agent still running with the same --state-dir is no gap.
    std::ifstream comm("/proc/" + std::to_string(g.previous_pid) + "/comm");
    std::string name;
    comm >> name;
    bool alive = g.previous_pid != 0 && static_cast<pid_t>(g.previous_pid) != ::getpid() && name == "sockwarden";
    if (!alive) gap = g;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::ofstream out(path_, std::ios::trunc);
  out << ::getpid() << "\n";
  if (!out.flush())
    throw std::runtime_error(errno_text("writing the agent marker " + path_ + " (--state-dir)", errno));
  return gap;
}

void EnforcementMarker::touch() { ::utimensat(AT_FDCWD, path_.c_str(), nullptr, 0); }

void EnforcementMarker::remove() { ::unlink(path_.c_str()); }

}  // namespace sockwarden
