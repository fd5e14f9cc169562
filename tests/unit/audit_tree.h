// Temp trees for the audit unit tests: files, symlinks and real (bound)
// unix sockets under one mkdtemp directory, removed on destruction.
#pragma once
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sockwarden::audit::testing {

class TempTree {
 public:
  TempTree() {
    char tmpl[] = "/tmp/sw-audit-unit.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    root = tmpl;
  }
  ~TempTree() {
    for (int fd : fds_) ::close(fd);
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  std::string path(const std::string& rel) const { return root + "/" + rel; }

  std::string write(const std::string& rel, const std::string& text) {
    std::string p = path(rel);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  std::string mkdir(const std::string& rel) {
    std::filesystem::create_directories(path(rel));
    return path(rel);
  }

  // A symlink whose target need not exist ("mnt:[123]", "socket:[9]").
  void symlink(const std::string& target, const std::string& rel) {
    std::filesystem::create_directories(std::filesystem::path(path(rel)).parent_path());
    ASSERT_EQ(::symlink(target.c_str(), path(rel).c_str()), 0) << strerror(errno);
  }

  // A bound, listening unix socket (kept open for the tree's life).
  std::string socket(const std::string& rel, mode_t mode = 0660) {
    std::string p = path(rel);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, p.c_str(), sizeof sa.sun_path - 1);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 4) != 0)
      throw std::runtime_error("socket " + p + ": " + strerror(errno));
    ::chmod(p.c_str(), mode);
    fds_.push_back(fd);
    return p;
  }

  std::string root;

 private:
  std::vector<int> fds_;
};

}  // namespace sockwarden::audit::testing
