// `sockwarden audit`: one command for the first questions of an incident
// (which runtime sockets exist and who may open them, who has them mounted,
// who is connected now, TCP exposure, privileged containers). Reads the
// system's state; loads no BPF.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "audit/audit_report.h"

namespace sockwarden {

struct AuditOptions {
  std::vector<std::string> sockets;  // --socket (paths, globs)
  bool no_default_sockets = false;
  std::vector<std::string> docker_data_roots;  // --docker-data-root (running dockerds are found too)
  std::string containerd_state;                // --containerd-state ("" = /run/containerd)
  std::string containers_runroot;              // podman/CRI-O run root ("" = /run/containers/storage)
  bool json = false;
  // --host-root DIR ("" = own root): the host's / as seen from here (the container
  // image). Sockets, /etc and runtime state are read under it; /proc stays
  // proc_root (--pid host), the host's mount namespace is host_root_pid(DIR)'s.
  std::string host_root;
  // Filesystem roots (tests point them elsewhere).
  std::string proc_root = "/proc";
  std::string root_dir;  // prefix for /etc/... ("" = the real root)
};

// Throws UserError(kExitUsage) for bad options.
void validate_audit_options(const AuditOptions& o);

// Gathers everything; never throws for a check that cannot run (it becomes a
// warning in the report), only for bad options.
audit::AuditReport collect_audit(const AuditOptions& o);

// Prints the report (text or JSON) and returns the exit code: 0 / 1 / 2.
int run_audit(const AuditOptions& o, std::ostream& out);

}  // namespace sockwarden
