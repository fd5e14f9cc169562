#include "lint/rules.h"

namespace sockwarden::lint {

const std::vector<Rule>& lint_rules() {
  using S = Severity;
  static const std::vector<Rule> kRules = {
      {rule::kSocketMount, "runtime-socket-mount", S::Critical,
       "A container runtime socket (docker.sock, containerd.sock and its shim/ttrpc sockets, crio.sock, "
       "podman.sock, buildkitd.sock, rootless /run/user/<uid>/... sockets) is mounted into a workload: "
       "whoever reaches it is root on the host.",
       audit::remedy::kSocketMount},
      {rule::kSocketDirMount, "runtime-socket-dir-mount", S::Critical,
       "A directory that holds a runtime socket (/, /var, /run, /var/run, /run/containerd, /run/user/<uid>, "
       "...) is mounted: the socket comes with it.",
       "Mount only the specific subdirectory the workload needs (never one holding a runtime socket), read-only."},
      {rule::kPrivileged, "privileged", S::Critical,
       "Privileged container: all capabilities, all devices, no seccomp/AppArmor; one mount away from the host.",
       audit::remedy::kPrivileged},
      {rule::kPrivilegeEscalation, "allow-privilege-escalation", S::Medium,
       "allowPrivilegeEscalation: true (setuid binaries and file capabilities can raise privileges).",
       "Set allowPrivilegeEscalation: false."},
      {rule::kHostPid, "host-pid", S::High,
       "Host PID namespace: the workload sees and can signal/ptrace host processes (and reach sockets via "
       "/proc/<pid>/root).",
       audit::remedy::kHostNamespace},
      {rule::kHostNetwork, "host-network", S::High,
       "Host network namespace: host-only listeners (a daemon on 127.0.0.1:2375, abstract unix sockets) "
       "become reachable.",
       audit::remedy::kHostNamespace},
      {rule::kHostIpc, "host-ipc", S::Medium, "Host IPC namespace: shared memory and semaphores of host processes.",
       audit::remedy::kHostNamespace},
      {rule::kCapAdd, "capability-added", S::High,
       "Added capabilities: ALL is critical; SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, SYS_RAWIO, BPF, "
       "SYS_BOOT are high; any other added capability is medium.",
       audit::remedy::kCapAdd},
      {rule::kDaemonTcp, "daemon-tcp-no-tls", S::Critical,
       "A runtime daemon listens on TCP without TLS client verification (dockerd -H tcp://... or daemon.json "
       "hosts without tlsverify, podman system service tcp://, buildkitd --addr tcp:// without --tlscacert, a "
       "docker.socket-like unit with ListenStream=<port>): root on the host for anyone who reaches the port. "
       "TLS without --tlsverify is high.",
       audit::remedy::kTcpNoTls},
      {rule::kClientTcp, "docker-host-tcp-no-tls", S::High,
       "DOCKER_HOST=tcp://... without DOCKER_TLS_VERIFY: the client talks to a plaintext daemon port.",
       "Use DOCKER_HOST=ssh://..., or TLS (port 2376, DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH)."},
      {rule::kBadSuppression, "bad-suppression", S::Medium,
       "A sockwarden-lint suppression without a reason or with an unknown rule id: it suppresses nothing.",
       "Write the rule id and why the exception was accepted: '# sockwarden-lint: allow SW-LINT-005 node agent "
       "needs host PIDs' or the annotation sockwarden.io/lint-allow: \"SW-LINT-005: reason\"."},
  };
  return kRules;
}

const Rule* find_rule(const std::string& id) {
  for (const auto& r : lint_rules())
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace sockwarden::lint
