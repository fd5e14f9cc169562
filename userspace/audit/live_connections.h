// Who is connected to a runtime socket right now (NETLINK_SOCK_DIAG).
//
// The daemon's accepted sockets carry the listener's path (the kernel copies
// it at accept), so UNIX_DIAG_VFS names the listener's inode on both the
// listener and every accepted socket; UNIX_DIAG_PEER on an accepted socket
// is the client's socket inode, which /proc/PID/fd shows as socket:[N].
// An accepted socket lives in the *client's* network namespace, so a
// container with its own network namespace is only visible from inside it:
// every network namespace in use is dumped (setns on a short-lived thread).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/finding.h"
#include "audit/process_context.h"
#include "audit/socket_inventory.h"

namespace sockwarden::audit {

struct UnixSockDiag {
  uint32_t ino = 0;
  uint8_t state = 0;      // TCP_ESTABLISHED 1, TCP_LISTEN 10
  uint32_t vfs_ino = 0;   // 0: unbound (clients)
  uint32_t vfs_dev = 0;   // kernel s_dev encoding (major << 20 | minor)
  uint32_t peer_ino = 0;  // 0: none
  // Listeners only (UNIX_DIAG_ICONS): the client socket inodes of connections
  // still in the backlog, not accepted yet (a busy or hung daemon).
  std::vector<uint32_t> pending_clients;
};

// Every unix socket of the calling thread's network namespace. Throws
// UserError with errno on a netlink failure.
std::vector<UnixSockDiag> dump_unix_sockets();

// The same from inside the network namespace of proc_root/<pid>/ns/net.
// nullopt if the namespace cannot be entered.
std::optional<std::vector<UnixSockDiag>> dump_unix_sockets_in_netns_of(const std::string& proc_root, pid_t pid);

struct LiveConnection {
  std::string socket_path;
  uint32_t server_ino = 0;  // the daemon's accepted socket (0 while pending)
  bool pending = false;     // connected, still in the listener's backlog
  uint32_t client_ino = 0;  // the caller's socket
  std::vector<ProcessRef> clients;  // processes holding client_ino (empty: fd closed or passed on)
};

struct LiveConnections {
  std::vector<LiveConnection> connections;
  // listener inode holders, per socket path (the daemon)
  std::vector<std::pair<std::string, ProcessRef>> listeners;
  std::vector<std::string> warnings;  // namespaces that could not be read
};

// Pure matching: the diag entries of the sockets (by kernel dev + inode),
// client inodes to pids through `owners`.
LiveConnections match_connections(const std::vector<RuntimeSocket>& sockets, const std::vector<UnixSockDiag>& diag,
                                  const std::map<uint64_t, std::vector<pid_t>>& owners, ProcessContext& context);

// Dumps the auditor's network namespace and every other one in use.
LiveConnections find_live_connections(const std::vector<RuntimeSocket>& sockets, const std::string& proc_root,
                                      ProcessContext& context);

// From a container: high. From the host: info (listed for the responder).
std::vector<Finding> live_connection_findings(const LiveConnections& live);

}  // namespace sockwarden::audit
