// Everything one audit found: the inventories and the findings drawn from them.
#pragma once
#include <string>
#include <vector>

#include "audit/container_posture.h"
#include "audit/finding.h"
#include "audit/live_connections.h"
#include "audit/mount_reach.h"
#include "audit/socket_inventory.h"
#include "audit/tcp_exposure.h"

namespace sockwarden::audit {

struct AuditReport {
  std::string hostname;
  std::string time;  // RFC 3339 UTC
  std::vector<RuntimeSocket> sockets;
  TcpAudit tcp;
  std::vector<MountReach> reach;
  LiveConnections live;
  std::vector<ContainerPosture> containers;
  std::vector<Finding> findings;  // worst first
  std::vector<std::string> warnings;  // what could not be checked
  int exit_code() const { return audit_exit_code(findings); }
};

// Drops configured-mount findings that a live mount finding already covers
// (same container and socket: the live one has the path seen inside), then
// sorts worst first.
void finalize_findings(std::vector<Finding>& findings);

}  // namespace sockwarden::audit
