#include "enrich/host_process.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "enrich/cgroup_layout.h"
#include "enrich/small_file.h"

namespace sockwarden {

uint64_t mount_ns_of(const std::string& ns_link) {
  char buf[128];
  ssize_t n = ::readlink(ns_link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  std::string l(buf, static_cast<size_t>(n));
  auto open = l.find(":[");
  if (open == std::string::npos || l.back() != ']') return 0;
  return std::strtoull(l.c_str() + open + 2, nullptr, 10);
}

uint64_t host_mount_ns(const std::string& proc_root, uint64_t override_ns) {
  if (override_ns) return override_ns;
  if (uint64_t ns = mount_ns_of(proc_root + "/1/ns/mnt")) return ns;
  return mount_ns_of(proc_root + "/self/ns/mnt");
}

bool is_host_process(const std::string& proc_dir, uint64_t host_mntns) {
  if (host_mntns == 0 || mount_ns_of(proc_dir + "/ns/mnt") != host_mntns) return false;
  auto cg = read_small_file(proc_dir + "/cgroup", 64 * 1024);
  if (!cg) return false;
  size_t pos = 0;
  while (pos < cg->size()) {
    size_t end = cg->find('\n', pos);
    if (end == std::string::npos) end = cg->size();
    std::string line = cg->substr(pos, end - pos);
    pos = end + 1;
    // "hierarchy:controllers:path": v1 and v2 lines alike name the cgroup.
    auto first = line.find(':');
    auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    if (parse_container_cgroup(line.substr(second + 1))) return false;
  }
  return true;
}

bool is_host_caller(uint64_t caller_mntns, uint64_t host_mntns, const std::string& cgroup_path) {
  if (caller_mntns == 0 || host_mntns == 0 || caller_mntns != host_mntns) return false;
  return !parse_container_cgroup(cgroup_path).has_value();
}

bool is_trusted_daemon(const std::string& proc_dir, const std::string& exe_name, uint64_t host_mntns,
                       uint32_t owner) {
  struct stat proc_st {}, exe_st {};
  if (::stat(proc_dir.c_str(), &proc_st) != 0 || proc_st.st_uid != owner) return false;
  if (::stat((proc_dir + "/exe").c_str(), &exe_st) != 0 || !S_ISREG(exe_st.st_mode) ||
      !owned_unwritable_by_others(exe_st, owner))
    return false;
  char exe[4096];
  ssize_t n = ::readlink((proc_dir + "/exe").c_str(), exe, sizeof exe - 1);
  if (n <= 0) return false;
  std::string exe_path(exe, static_cast<size_t>(n));
  const std::string suffix = "/" + exe_name;
  if (exe_path.size() < suffix.size() || exe_path.compare(exe_path.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  return is_host_process(proc_dir, host_mntns);
}

bool owned_unwritable_by_others(const struct stat& st, uint32_t owner) {
  return st.st_uid == owner && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool is_delegated_cgroup(const std::string& cgroup_path) {
  size_t pos = 0;
  while ((pos = cgroup_path.find("/user@", pos)) != std::string::npos) {
    size_t end = cgroup_path.find('/', pos + 1);
    std::string comp = cgroup_path.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
    if (comp.size() > 13 && comp.compare(comp.size() - 8, 8, ".service") == 0) return true;
    pos += 6;
  }
  return false;
}

std::vector<TrustedDaemon> trusted_daemons(const std::string& proc_root, const std::vector<std::string>& exe_names,
                                           uint32_t owner, uint64_t host_mntns) {
  std::vector<TrustedDaemon> out;
  const uint64_t host_ns = host_mount_ns(proc_root, host_mntns);
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc_root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string dir = it->path().string();
    // A cheap first look: the exe link's last component. Only a candidate gets the checks
    // below, which decide (the link alone proves nothing: see is_trusted_daemon).
    char exe[4096];
    ssize_t n = ::readlink((dir + "/exe").c_str(), exe, sizeof exe - 1);
    if (n <= 0) continue;
    std::string_view link(exe, static_cast<size_t>(n));
    const std::string_view base = link.substr(link.rfind('/') + 1);
    for (const auto& exe_name : exe_names) {
      if (base != exe_name) continue;
      // comm is whatever the process calls itself: any user can run a "dockerd" whose
      // --config-file names a file of theirs (or a FIFO, or a device). Only a process running
      // as OWNER in the host's mount namespace, outside containers, executing a file named
      // EXE_NAME that OWNER owns and nobody else may write, is taken for the daemon.
      if (!is_trusted_daemon(dir, exe_name, host_ns, owner)) break;
      if (auto cmdline = read_small_file(dir + "/cmdline", 1u << 20))
        out.push_back({exe_name, static_cast<uint32_t>(std::strtoul(name.c_str(), nullptr, 10)), std::move(*cmdline)});
      break;
    }
  }
  return out;
}

}  // namespace sockwarden
