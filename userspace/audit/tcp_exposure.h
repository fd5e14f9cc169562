// Runtime daemons listening on TCP, and whether that API is behind TLS.
// A daemon API on TCP without TLS is root for anyone who reaches the port
// (2375 is Docker's plain-text port; 2376 its TLS one).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/finding.h"
#include "audit/process_context.h"

namespace sockwarden::audit {

struct TcpListener {
  std::string address;  // "0.0.0.0", "127.0.0.1", "::", "::1", ...
  uint16_t port = 0;
  uint64_t inode = 0;
  bool loopback = false;
};

// Listening sockets (state 0A) in /proc/net/tcp or tcp6 text.
std::vector<TcpListener> parse_proc_net_tcp(const std::string& text, bool v6);

// What dockerd's flags and daemon.json say about TCP and TLS. dockerd takes
// each setting from its flags or its config file (never both).
struct DockerTls {
  bool tls = false;        // --tls / "tls": server TLS
  bool tlsverify = false;  // --tlsverify / "tlsverify": clients need a cert signed by the CA (implies TLS)
  std::vector<std::string> tcp_hosts;  // -H/--host tcp://... or "hosts"
  std::string config_file;             // the daemon.json consulted ("" if none readable)
};

// cmdline: /proc/PID/cmdline (NUL-separated) or space-separated. The config
// file is --config-file's value, else default_daemon_json; its path is read
// under root_dir (the auditor's view of the host's filesystem, "" = /).
// config_owner: when set, a config file owned by anyone else is ignored.
DockerTls docker_tls_from(const std::string& cmdline, const std::string& root_dir,
                          const std::string& default_daemon_json = "/etc/docker/daemon.json",
                          std::optional<uint32_t> config_owner = std::nullopt);

// Executable names (the basename of /proc/PID/exe, never comm) of runtime
// daemons whose TCP listeners matter.
bool is_runtime_daemon(const std::string& exe_name);

struct TcpExposure {
  TcpListener listener;
  ProcessRef daemon;
  bool tls_known = false;  // only a trusted dockerd's is checked (see find_tcp_exposure)
  DockerTls tls;
};

struct ConfiguredTcpHost {  // -H tcp://... on a running dockerd (shown even if its listener was not found)
  ProcessRef daemon;
  DockerTls tls;
};

struct TcpAudit {
  std::vector<TcpExposure> listening;
  std::vector<ConfiguredTcpHost> configured;
};

// proc_root/net/tcp{,6} are the auditor's network namespace (the host's).
// A listener's owner is a runtime daemon by its exe's name. Its command line
// and --config-file are believed (tls_known, and `configured`) only for a
// trusted dockerd (enrich/host_process.h is_trusted_daemon: uid 0, host
// mount namespace HOST_MNTNS (0: read it under proc_root), no container
// cgroup, root-owned exe named dockerd), and only a root-owned config file
// is read: any user can run a process called dockerd whose --config-file
// is theirs (or a FIFO, or a device).
TcpAudit find_tcp_exposure(const std::string& proc_root, const std::string& root_dir,
                           const std::map<uint64_t, std::vector<pid_t>>& owners, ProcessContext& context,
                           uint64_t host_mntns = 0);

// No TLS: critical. TLS without client verification: critical (anyone who
// reaches the port gets in). tlsverify: medium (remote root API, cert-guarded).
std::vector<Finding> tcp_findings(const TcpAudit& tcp);

}  // namespace sockwarden::audit
