#include "audit/socket_inventory.h"

#include <sys/stat.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

#include "capture/watch_list.h"

namespace sockwarden::audit {
namespace {

std::optional<uid_t> rootless_uid_of(const std::string& path) {
  const std::string prefix = "/run/user/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  size_t end = path.find('/', prefix.size());
  if (end == std::string::npos) return std::nullopt;
  std::string n = path.substr(prefix.size(), end - prefix.size());
  if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<uid_t>(std::strtoul(n.c_str(), nullptr, 10));
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string who(const std::string& name, unsigned id) {
  return name.empty() ? std::to_string(id) : name + " (" + std::to_string(id) + ")";
}

}  // namespace

std::string mode_string(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::vector<RuntimeSocket> inventory_sockets(const std::vector<std::string>& specs, const UserDb& users,
                                             const std::string& host_root) {
  std::vector<std::string> paths_only;
  for (const auto& s : specs)
    if (!s.empty() && s[0] != '@') paths_only.push_back(s);
  WatchList wl(paths_only, 0, host_root);
  std::vector<RuntimeSocket> out;
  std::set<std::pair<dev_t, ino_t>> seen;
  for (const auto& w : wl.resolve()) {
    struct stat st {};
    if (!wl.stat_host_path(w.path, &st) || !S_ISSOCK(st.st_mode)) continue;
    if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
    RuntimeSocket s;
    s.path = w.path;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    s.uid = st.st_uid;
    s.gid = st.st_gid;
    s.mode = st.st_mode & 07777;
    s.owner = users.user_name(st.st_uid);
    s.group = users.group_name(st.st_gid);
    for (auto& m : users.members(st.st_gid))
      if (!users.is_uid0(m)) s.group_members.push_back(std::move(m));
    s.realpath = wl.real_host_path(w.path);
    if (s.realpath.empty()) s.realpath = w.path;
    s.rootless_uid = rootless_uid_of(s.realpath);
    if (!s.rootless_uid) s.rootless_uid = rootless_uid_of(s.path);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Finding> socket_findings(const std::vector<RuntimeSocket>& sockets) {
  std::vector<Finding> out;
  for (const auto& s : sockets) {
    std::string perms = "mode " + mode_string(s.mode) + ", owner " + who(s.owner, s.uid) + ", group " +
                        who(s.group, s.gid) + ", inode " + std::to_string(s.ino);
    auto base = [&](Severity sev, const char* check, std::string title, const char* fix) {
      Finding f;
      f.severity = sev;
      f.check = check;
      f.subject = s.path;
      f.socket_path = s.path;
      f.title = std::move(title);
      f.evidence.push_back(perms);
      f.remediation = fix;
      return f;
    };
    if (s.rootless_uid) {
      out.push_back(base(Severity::Info, "rootless-daemon",
                         "rootless daemon socket of uid " + std::to_string(*s.rootless_uid), remedy::kRootless));
      continue;
    }
    // connect() on a unix socket needs write permission on its inode.
    if (s.mode & S_IWOTH) {
      out.push_back(base(Severity::Critical, "socket-world-writable",
                         "world-writable runtime socket: every local user and every process is root", remedy::kWorldWritable));
    }
    if ((s.mode & S_IWGRP) && !s.group_members.empty()) {
      Finding f = base(Severity::High, "socket-group-members",
                       std::to_string(s.group_members.size()) + " user(s) in group " + who(s.group, s.gid) +
                           " can connect: each is root-equivalent",
                       remedy::kGroupMembers);
      f.evidence.push_back("members: " + join(s.group_members));
      f.evidence.push_back("(directory-service groups, LDAP/sssd, not checked)");
      out.push_back(std::move(f));
    } else if ((s.mode & S_IWGRP) && s.gid != 0) {
      out.push_back(base(Severity::Low, "socket-group-writable",
                         "group " + who(s.group, s.gid) + " can connect; no members in /etc/group or /etc/passwd",
                         remedy::kGroupMembers));
    }
    if (s.uid != 0) {
      out.push_back(base(Severity::Medium, "socket-owner-not-root",
                         "runtime socket owned by " + who(s.owner, s.uid) + ", who can connect and replace it",
                         remedy::kOwnerNotRoot));
    }
  }
  return out;
}

}  // namespace sockwarden::audit
