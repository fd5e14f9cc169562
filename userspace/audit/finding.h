// One audit finding: how bad, what it is about, the evidence, and what to do.
#pragma once
#include <string>
#include <vector>

namespace sockwarden::audit {

// Ordered: a larger value is worse. The exit code follows the worst finding.
enum class Severity { Info = 0, Low = 1, Medium = 2, High = 3, Critical = 4 };

const char* severity_name(Severity s);  // "info", "low", "medium", "high", "critical"

struct Finding {
  Severity severity = Severity::Info;
  std::string check;    // stable id for tooling: "socket-mounted", "tcp-no-tls", ...
  std::string subject;  // what it is about: a socket path, "container web", "pid 42 (python3)"
  std::string title;    // one line a responder reads first
  std::vector<std::string> evidence;  // facts that show it, each checkable by hand
  std::string remediation;            // one line, the safer alternative
  // For JSON consumers and de-duplication; empty when not applicable.
  std::string container_id;
  std::string container_name;
  std::string container_image;
  std::string container_runtime;  // "docker", "containerd", ...
  std::string socket_path;
};

// 2 if any finding is critical, 1 if any is high or medium, else 0.
int audit_exit_code(const std::vector<Finding>& findings);

// Worst first; ties keep their order (stable), so sections stay grouped.
void sort_findings(std::vector<Finding>& findings);

// The remediations, in one place so that the same risk always reads the same.
namespace remedy {
inline constexpr const char* kSocketMount =
    "Remove the socket mount; if the workload must drive the runtime, give it a filtering socket proxy "
    "(allow-listed endpoints), remote BuildKit for builds, or a host-level timer for cleanup jobs.";
inline constexpr const char* kGroupMembers =
    "Empty the socket's group (membership is root): give users rootless Docker/podman, or a filtering "
    "socket proxy for tools that only read.";
inline constexpr const char* kWorldWritable =
    "chmod 0660 (or 0600) the socket now and find what widened it; restart the daemon to recreate it.";
inline constexpr const char* kOwnerNotRoot =
    "Check who created this socket: a rootful daemon's socket must be owned by root.";
inline constexpr const char* kTcpNoTls =
    "Stop listening on TCP (remove -H tcp://... / \"hosts\"), or require --tlsverify with client certs; "
    "reach remote daemons over SSH (DOCKER_HOST=ssh://).";
inline constexpr const char* kTcpNoVerify =
    "Add --tlsverify with a client CA: TLS without client verification lets anyone who reaches the port in.";
inline constexpr const char* kTcpTls =
    "Keep the port firewalled to admin hosts and client certificates short-lived; prefer SSH or a rootless daemon.";
inline constexpr const char* kPrivileged =
    "Drop --privileged; add only the capabilities and devices the workload needs, or run a rootless daemon.";
inline constexpr const char* kHostRoot =
    "Remove the host / mount; mount only the specific paths needed, read-only.";
inline constexpr const char* kSensitivePath =
    "Remove the mount or make it read-only and as narrow as possible.";
inline constexpr const char* kHostNamespace =
    "Drop the host namespace (--pid/--network/--ipc=host) unless the workload is a node agent that needs it.";
inline constexpr const char* kCapAdd = "Drop the added capability (--cap-drop ALL, then add back only what is needed).";
inline constexpr const char* kDevices = "Remove host devices the workload does not need.";
inline constexpr const char* kUnconfined = "Keep the default seccomp/AppArmor/SELinux profiles (remove *=unconfined).";
inline constexpr const char* kLiveFromContainer =
    "Find why this container talks to the runtime; remove its socket mount or put a filtering socket proxy in between.";
inline constexpr const char* kLiveFromHost =
    "If this program is not expected to drive the runtime, find who started it (its parent, login session) "
    "and stop it; give tools that only read a filtering socket proxy.";
inline constexpr const char* kRootless =
    "None needed: a rootless daemon gives its user's privileges, not root; keep that user's account protected.";
}  // namespace remedy

}  // namespace sockwarden::audit
