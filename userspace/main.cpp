// sockwarden: who talks to a container runtime's control socket, and what
// they ask it to do. This file only parses the command line.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <set>

#include "capture/bpf_tier.h"
#include "capture/errors.h"
#include "classify/redactor.h"
#include "commands/agent.h"
#include "commands/config_file.h"
#include "commands/outputs_sink.h"
#include "commands/audit.h"
#include "commands/doctor.h"
#include "commands/lint.h"
#include "commands/sinks.h"

using namespace sockwarden;

namespace {

const char* kExitCodes =
    "Exit codes: 0 ok, 1 runtime error, 2 bad usage or config, 3 not root / missing capabilities,\n"
    "            4 kernel unsupported (no BTF, no hook tier loads).\n"
    "            audit and lint report findings in their exit code instead: see their --help.";

void add_capture_options(CLI::App* cmd, AgentOptions& o) {
  cmd->add_option("-s,--socket", o.sockets,
                  "Also watch this socket (repeatable). A path, a glob, or @name for an abstract socket.\n"
                  "Identity is the inode: symlinks, relative paths and container bind-mount aliases match.");
  cmd->add_flag("--no-default-sockets", o.no_default_sockets, "Watch only the --socket paths");
  cmd->add_option("--host-root", o.host_root,
                  "Look socket paths up under DIR, where the host's filesystem is seen (in a container with\n"
                  "--pid host: /proc/1/root). Paths stay host paths in events; no socket is bind-mounted.");
  cmd->add_option("--host-cgroup2", o.host_cgroup2,
                  "The host's whole cgroup2 hierarchy, mounted at DIR (default: found among the mounts, else\n"
                  "under --host-root). In a cgroup namespace of its own (a Kubernetes pod) the agent maps callers\n"
                  "to containers through it: docs/kubernetes-cgroupns.md");
  cmd->add_option("--tier", o.tier, "Hook tier: auto (best that loads), lsm, fentry, socket-tp, syscall-tp ('doctor' lists them)")
      ->capture_default_str();
  cmd->add_option("--payload-cap", o.payload_cap, "Bytes captured per write (max 16384)")->capture_default_str();
  cmd->add_option("--request-budget", o.request_budget,
                  "Bytes kept per decoded HTTP/gRPC request (line, headers, body); beyond it the request is\n"
                  "reported truncated")
      ->capture_default_str();
  cmd->add_option("--decoder-budget-mb", o.decoder_budget_mb,
                  "MiB all connections' request decoding may hold together; past it the least recently written\n"
                  "connections are dropped and reported (lost events, cause decoder-budget)")
      ->capture_default_str();
  cmd->add_option("--flood-send-rate", o.flood_send_rate,
                  "Per process: sends per second (burst twice that) into the ring buffer before the rest are\n"
                  "suppressed and summarised in flood-suppressed events (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--flood-connect-rate", o.flood_open_rate,
                  "Per process: new connections per second (burst twice that), each with its first send, before\n"
                  "suppression (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--ringbuf-kb", o.ringbuf_kb, "Kernel ring buffer size in KiB (power of two)")->capture_default_str();
  cmd->add_option("--duration", o.duration_sec, "Stop after SEC seconds (default: until Ctrl-C / SIGTERM)");
  cmd->add_option("-p,--pid", o.pids, "Only events of this process, its threads and direct children (repeatable)");
  cmd->add_option("--expect", o.expect,
                  "Expected caller, not flagged unexpected-caller (repeatable): exe:/path/glob, a bare /path,\n"
                  "uid:N, container:NAME-glob, image:IMAGE-glob, cgroup:PATH-glob. Runtime daemons and shims are expected by default.");
  cmd->add_option("--expected-callers", o.expected_callers_file,
                  "YAML file with more expected callers (expected_callers: [{exe: ...}, {uid: ...}, ...])");
  cmd->add_flag("--no-default-rules", o.no_default_rules,
                "Drop the built-in expected callers (runtime daemons and shims matched by exe path): only\n"
                "--expect / --expected-callers rules apply. 'doctor' lists the rules in force; config default_rules");
  cmd->add_option("--docker-data-root", o.docker_data_roots,
                  "Docker data root(s) for container names (running dockerds and daemon.json are found anyway)");
  cmd->add_option("--containerd-state", o.containerd_state,
                  "containerd's state directory, for container names (default /run/containerd)");
  cmd->add_flag("--enforce", o.enforce,
                "Deny (EPERM) connects the expected-caller policy does not allow: callers in a container\n"
                "need a container:/image:/cgroup:/exe:/uid: rule; host callers are allowed unless\n"
                "--deny-host-callers. Full in the lsm/fentry tiers, path-only in socket-tp, refused in\n"
                "syscall-tp. Fail-open if the agent dies (reported at the next start). SIGHUP reloads.");
  cmd->add_flag("--deny-host-callers", o.deny_host_callers,
                "With --enforce: callers outside containers need a rule too (e.g. --expect uid:0)");
  cmd->add_option("--state-dir", o.state_dir, "Where the enforcement marker lives")->capture_default_str();
  cmd->add_option("--containers-storage", o.containers_storage,
                  "podman/CRI-O graph root, for container names (default /var/lib/containers/storage)");
  cmd->add_option("--containers-runroot", o.containers_runroot,
                  "podman/CRI-O run root, for container names (default /run/containers/storage)");
}

// Long names (no dashes) of the options typed on the command line: they
// override the config file.
std::set<std::string> given_options(CLI::App* cmd) {
  std::set<std::string> given;
  for (const auto* opt : cmd->get_options())
    if (opt->count() > 0)
      for (const auto& name : opt->get_lnames()) given.insert(name);
  return given;
}

// --config FILE, else the default file when it exists, then the flags on top.
AgentConfig resolve_config(const std::string& path, bool use_default, const AgentConfig& cli,
                           const std::set<std::string>& given) {
  AgentConfig file;
  struct stat st {};
  if (!path.empty())
    file = load_agent_config(path);
  else if (use_default && ::stat(kDefaultConfigPath, &st) == 0)
    file = load_agent_config(kDefaultConfigPath);
  AgentConfig merged = merge_cli(file, cli, given);
  check_agent_config(merged);
  return merged;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sockwarden: see who talks to container runtime sockets (docker.sock, containerd.sock, ...)\n"
      "and what they send. Needs root (at least CAP_BPF + CAP_PERFMON, or CAP_SYS_ADMIN; CAP_NET_ADMIN\n"
      "for socket-tp's connect hook and --enforce; CAP_SYS_PTRACE for other users' processes) and a BTF kernel.\n\n"
      "Quick start:  sudo sockwarden trace            live table of every caller\n"
      "              sudo sockwarden trace --json     the same as JSON lines\n"
      "              sudo sockwarden doctor           what this kernel supports\n"
      "              sudo sockwarden audit            incident snapshot: sockets, mounts, connections, TCP\n"
      "              sockwarden lint .                the same risks in Compose/K8s/CI/systemd files (no root)"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logs, including libbpf's (to stderr)");

  AgentConfig trace_cfg;
  AgentOptions& trace_opts = trace_cfg.agent;
  std::string trace_config;
  bool json = false;
  auto* trace = app.add_subcommand(
      "trace",
      "Live view for a responder: one row per connect/send/reply on a watched socket, top callers at exit.\n"
      "Default sockets: /var/run/docker.sock, /run/containerd/containerd.sock, /run/crio/crio.sock,\n"
      "/run/podman/podman.sock, /run/buildkit/buildkitd.sock, /run/user/*/docker.sock,\n"
      "/run/user/*/podman/podman.sock (those that exist; others are picked up when they appear).");
  add_capture_options(trace, trace_opts);
  trace->add_flag("--json", json, "One JSON object per line instead of the table (ends with a summary line)");
  trace->add_option("--container", trace_opts.container, "Only callers in this container (name, glob or id prefix)");
  trace->add_flag("--only-flagged", trace_opts.only_flagged,
                  "Only events with a caller flag (container-originated, namespaced, unexpected-caller)");
  trace->add_option("--config", trace_config, "Read the capture settings of this agent config file (YAML)");

  AgentConfig run_cfg;
  std::string output;
  std::string run_config;
  bool check_config = false;
  auto* run = app.add_subcommand(
      "run", "Agent mode (systemd): JSON lines to stdout, files or syslog (config file outputs:), logs to stderr.");
  add_capture_options(run, run_cfg.agent);
  run->add_option("-o,--output", output, "Append JSON lines to FILE instead of stdout (replaces the config's outputs)");
  run->add_option("-c,--config", run_config,
                  std::string("Agent config file (YAML; default ") + kDefaultConfigPath +
                      " if it exists). Flags override it; SIGHUP re-reads it.");
  run->add_flag("--check-config", check_config, "Validate the config (and expected-callers file), exit 0 or 2");
  run->add_option("--heartbeat", run_cfg.heartbeat.interval_sec, "Heartbeat event every SEC seconds (0 = off)")
      ->capture_default_str();
  run->add_option("--prometheus-file", run_cfg.heartbeat.prometheus_file,
                  "Write the health counters in Prometheus text format to PATH (node_exporter textfile collector)");
  run->add_option("--severity-threshold", run_cfg.severity_threshold,
                  "Emit request events of at least this severity: none, low, medium, high, critical")
      ->capture_default_str();
  run->add_option("--audit-interval", run_cfg.audit.interval_sec,
                  "Re-run the audit's checks every SEC seconds and report new/resolved findings as events "
                  "(0 = only at start and when a container changes); config audit.interval_sec")
      ->capture_default_str()
      ->check(CLI::Range(0u, 604800u));
  bool no_audit = false;
  run->add_flag("--no-audit", no_audit, "No continuous audit (no audit-finding events); config audit.enabled");

  std::vector<std::string> doctor_sockets;
  auto* doctor = app.add_subcommand("doctor", "Check privileges, BTF, cgroup v2 and which hook tiers load here.");
  doctor->add_option("-s,--socket", doctor_sockets, "Also check this socket path");
  std::string doctor_config;
  AgentConfig doctor_cli;
  doctor->add_option("--config", doctor_config,
                     std::string("Agent config whose expected-caller rules to list (default ") + kDefaultConfigPath +
                         " if present)");
  doctor->add_flag("--no-default-rules", doctor_cli.agent.no_default_rules,
                   "List the rules as `run --no-default-rules` would use them");

  AuditOptions audit_opts;
  auto* audit = app.add_subcommand(
      "audit",
      "Incident snapshot, no BPF needed (run as root). Answers in one go:\n"
      "  1. which runtime sockets exist, their owner/group/mode, and who is in that group (root-equivalent)\n"
      "  2. runtime daemons listening on TCP, with or without TLS\n"
      "  3. containers and other mount namespaces that can reach a socket (bind mount of the socket or a\n"
      "     directory above it; matched by inode, so renamed paths like /var/run/other.sock are found)\n"
      "  4. who is connected to each socket right now (pid, program, container)\n"
      "  5. privileged containers, host / or sensitive paths mounted, host namespaces, added capabilities\n"
      "Each finding: severity, evidence, one-line fix. Read the Findings section first.");
  audit->footer(
      "Exit codes: 0 nothing worse than low/info, 1 high or medium findings, 2 critical findings\n"
      "            Bad usage exits 2 and an internal error 1, both with a message on stderr and no report.\n"
      "Examples:   sudo sockwarden audit\n"
      "            sudo sockwarden audit --json > audit.json      (for jq / a ticket)\n"
      "            sudo sockwarden audit --socket /srv/ci/docker.sock --docker-data-root /srv/docker");
  audit->add_flag("--json", audit_opts.json, "One JSON document (findings, sockets, tcp, mounts, connections, containers)");
  audit->add_option("-s,--socket", audit_opts.sockets,
                    "Also audit this socket (repeatable; a path or a glob such as /run/user/*/docker.sock)");
  audit->add_flag("--no-default-sockets", audit_opts.no_default_sockets, "Audit only the --socket paths");
  audit->add_option("--docker-data-root", audit_opts.docker_data_roots,
                    "Docker data root(s) to read containers from (running dockerds and daemon.json are found anyway)");
  audit->add_option("--containerd-state", audit_opts.containerd_state,
                    "containerd's state directory (default /run/containerd)");

  LintOptions lint_opts;
  bool lint_json = false, lint_sarif = false;
  auto* lint = app.add_subcommand(
      "lint",
      "Static checks of deployment files, before they run (no root, no BPF). Finds what the agent would\n"
      "catch at runtime: runtime socket mounts (docker.sock, containerd.sock and its shim/ttrpc sockets,\n"
      "crio.sock, podman.sock, rootless /run/user/<uid>/... sockets) including directories above them\n"
      "(/, /var, /run, /var/run, /run/containerd, /run/user/1000), privileged, host PID/network/IPC,\n"
      "added capabilities, dockerd or a socket unit on TCP without TLS, DOCKER_HOST=tcp:// without TLS.\n"
      "Reads: Compose files, Kubernetes manifests (every workload kind, CronJob, List), shell scripts,\n"
      "Makefiles, Jenkinsfiles, CI YAML (GitHub run:, GitLab script:), systemd .service/.socket units,\n"
      "Docker daemon.json.\n"
      "Directories are walked recursively (.git skipped).");
  lint->footer(
      "Exit codes: 0 nothing worse than low, 1 high or medium findings, 2 critical findings,\n"
      "            5 an input could not be read or parsed (FILE:LINE: error: ... on stderr; the other\n"
      "            files are still reported). Suppressed findings never count. Bad usage exits 2 (as in audit).\n"
      "Suppress a reviewed exception (the reason is required, or it is itself finding SW-LINT-011):\n"
      "            # sockwarden-lint: allow SW-LINT-005 node agent, needs host PIDs   (covers the next line/block)\n"
      "            metadata.annotations: sockwarden.io/lint-allow: \"SW-LINT-005: reason; SW-LINT-006: reason\"\n"
      "Examples:   sockwarden lint .\n"
      "            sockwarden lint --sarif deploy/ ci/ > sockwarden.sarif   (GitHub code scanning upload)\n"
      "            sockwarden lint --json docker-compose.yml | jq '.findings[] | select(.suppressed|not)'");
  lint->add_option("paths", lint_opts.paths, "Files or directories to check")->required();
  auto* lint_json_flag = lint->add_flag("--json", lint_json, "One JSON document (findings, suppressed ones included)");
  lint->add_flag("--sarif", lint_sarif, "SARIF 2.1.0 (suppressed findings carry suppressions[])")->excludes(lint_json_flag);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  auto logger = spdlog::stderr_color_mt("sockwarden");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  route_libbpf_logs(verbose);

  try {
    if (*doctor) {
      std::optional<AgentConfig> cfg;
      try {
        cfg = resolve_config(doctor_config, true, doctor_cli, given_options(doctor));
      } catch (const std::exception& e) {
        std::cout << "config:        cannot load it: " << e.what() << "\n";
      }
      return run_doctor(std::cout, doctor_sockets, cfg ? &cfg->agent : nullptr);
    }
    if (*audit) return run_audit(audit_opts, std::cout);
    if (*lint) {
      lint_opts.format = lint_json ? LintFormat::Json : lint_sarif ? LintFormat::Sarif : LintFormat::Text;
      return run_lint(lint_opts, std::cout, std::cerr);
    }
    if (*trace) {
      if (!trace_config.empty())
        trace_opts = resolve_config(trace_config, false, trace_cfg, given_options(trace)).agent;
      if (json) {
        JsonLinesSink sink("-", /*with_summary=*/true);
        run_agent(trace_opts, sink);
      } else {
        TableSink sink(std::cout, isatty(STDOUT_FILENO));
        run_agent(trace_opts, sink);
      }
      return kExitOk;
    }
    if (*run) {
      run_cfg.outputs = outputs_for_flag(output);
      run_cfg.audit.enabled = !no_audit;  // taken over the file's only when typed (merge_cli)
      const auto given = given_options(run);
      auto load = [&]() { return resolve_config(run_config, true, run_cfg, given); };
      AgentConfig cfg = load();
      if (check_config) {
        std::cout << "config OK" << (run_config.empty() ? "" : ": " + run_config) << "\n";
        return kExitOk;
      }
      set_extra_secret_headers(cfg.redact_headers);
      OutputsSink sink(cfg);
      cfg.agent.reload_config = [&](AgentOptions& next) {
        AgentConfig fresh = load();
        apply_audit_config(fresh);
        next = fresh.agent;
        next.lifecycle_events = true;
        return std::function<void()>([&sink, fresh] {
          sink.reconfigure(fresh);
          set_extra_secret_headers(fresh.redact_headers);
        });
      };
      cfg.agent.lifecycle_events = true;
      apply_audit_config(cfg);
      run_agent(cfg.agent, sink);
      return kExitOk;
    }
  } catch (const UserError& e) {
    spdlog::error("{}", e.what());
    if (!e.hint().empty()) spdlog::error("hint: {}", e.hint());
    return e.code();
  } catch (const std::exception& e) {
    spdlog::error("unexpected error: {}", e.what());
    return kExitRuntime;
  }
  return kExitUsage;
}
