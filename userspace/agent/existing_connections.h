// Connections that were already open to a watched socket when the agent
// started (a dashboard holding a long-lived /events stream, `docker events`):
// the BPF hooks only see connects from now on, so these are found once, from
// the kernel's socket table (sock_diag UNIX_DIAG_VFS + UNIX_DIAG_PEER, the
// same code as `sockwarden audit`), and /proc/PID/fd maps each client socket
// inode to the processes holding it. Never guessed from paths.
//
// It lives with the commands because it joins audit's sock_diag walk with
// the enrich stage's record shape; the pipeline modules stay one-way.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capture/raw_event.h"
#include "capture/watch_list.h"
#include "enrich/container_resolver.h"
#include "enrich/event_builder.h"
#include "enrich/host_cgroup2.h"

namespace sockwarden {

// One process holding the client end of a connection to a watched socket.
struct ExistingClient {
  uint32_t watch_id = 0;
  uint64_t listener_ino = 0;
  uint32_t listener_dev = 0;  // kernel s_dev encoding, as the BPF records carry it
  uint64_t client_ino = 0;    // the connection id later send events carry
  bool pending = false;       // still in the listener's backlog
  pid_t pid = 0;
};

// A RawEvent shaped like a connect record (so the normal enrich/classify path
// attributes it) for one client, read from proc_root/PID. cgroup2_root: the
// cgroup2 mount, for the cgroup id (its directory's inode). False if the
// process is gone.
bool existing_connection_record(const ExistingClient& c, const std::string& proc_root, const std::string& cgroup2_root,
                                uint16_t tier_abi_id, uint64_t now_boot_ns, RawEvent& out);

// How /proc/PID/cgroup paths map into the hierarchy at `root`. In a private
// cgroup namespace (a Kubernetes pod) they are relative to the agent's own
// cgroup, so the cgroup is found by name in one walk of the host's hierarchy
// and confirmed by its cgroup.procs (find_process_cgroup()).
struct CgroupPaths {
  std::string root;         // the host's cgroup2 hierarchy ("" = none)
  bool private_ns = false;  // the agent's cgroup namespace is not the host's
  std::optional<std::vector<CgroupNode>> nodes = std::nullopt;  // walked on first need
};
bool existing_connection_record(const ExistingClient& c, const std::string& proc_root, CgroupPaths& cgroups,
                                uint16_t tier_abi_id, uint64_t now_boot_ns, RawEvent& out);

// The fd in proc_root/PID/fd that is socket:[ino], or -1.
int fd_of_socket(const std::string& proc_root, pid_t pid, uint64_t ino);

// Every client of the path watches, in every network namespace in use (the
// agent's own pid excluded). warnings: namespaces that could not be read.
std::vector<ExistingClient> find_existing_clients(const std::vector<ResolvedWatch>& watches,
                                                  const std::string& proc_root, ContainerResolver& containers,
                                                  std::vector<std::string>* warnings);

// The agent's snapshot: every client found, built by `builder` (process table,
// cgroup, container) into an existing-connection event, ready for the
// classify/filter/sink path. Logs what it could not read; never throws.
std::vector<Event> existing_connection_events(const std::vector<ResolvedWatch>& watches, const std::string& proc_root,
                                              CgroupPaths cgroups, uint16_t tier_abi_id,
                                              ContainerResolver& containers, EventBuilder& builder);

}  // namespace sockwarden
