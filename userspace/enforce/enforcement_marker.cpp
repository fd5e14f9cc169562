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

EnforcementMarker::EnforcementMarker(std::string state_dir)
    : dir_(std::move(state_dir)), path_(dir_ + "/enforcing") {}

std::optional<EnforcementGap> EnforcementMarker::claim() {
  std::optional<EnforcementGap> gap;
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    EnforcementGap g;
    std::ifstream in(path_);
    in >> g.previous_pid;
    g.last_alive_realtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + st.st_mtim.tv_nsec;
    gap = g;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::ofstream out(path_, std::ios::trunc);
  out << ::getpid() << "\n";
  if (!out.flush())
    throw std::runtime_error(errno_text("writing the enforcement marker " + path_ + " (--state-dir)", errno));
  return gap;
}

void EnforcementMarker::touch() { ::utimensat(AT_FDCWD, path_.c_str(), nullptr, 0); }

void EnforcementMarker::remove() { ::unlink(path_.c_str()); }

}  // namespace sockwarden
