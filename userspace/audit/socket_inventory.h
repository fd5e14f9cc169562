// The runtime sockets present on this host and who may open them.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/finding.h"
#include "audit/group_members.h"

namespace sockwarden::audit {

struct RuntimeSocket {
  std::string path;      // concrete path (globs expanded)
  dev_t dev = 0;         // stat() st_dev
  ino_t ino = 0;         // the listener's inode: the socket's identity
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;       // permission bits only
  std::string owner;     // user name ("" if not in passwd)
  std::string group;     // group name
  std::vector<std::string> group_members;  // who gets in through the group (uid 0 users left out)
  std::optional<uid_t> rootless_uid;       // under /run/user/<uid>/: a rootless daemon
  std::string realpath;  // symlinks resolved (for matching mounts of a parent directory)
};

// "0660"
std::string mode_string(mode_t mode);

// Expands specs (paths and globs, as --socket takes them; "@name" abstract
// sockets have no inode or permissions and are skipped), stats each, keeps
// sockets only; one entry per inode (a symlink and its target are one
// socket), in spec order. host_root ("" = own root): absolute paths are looked
// up under it (symlinks resolved inside it) and reported as host paths.
std::vector<RuntimeSocket> inventory_sockets(const std::vector<std::string>& specs, const UserDb& users,
                                             const std::string& host_root = "");

// Permission findings: world-writable (critical), group members who are
// root-equivalent through the group (high), unexpected owner, rootless daemons (info).
std::vector<Finding> socket_findings(const std::vector<RuntimeSocket>& sockets);

}  // namespace sockwarden::audit
