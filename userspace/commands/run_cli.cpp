#include "commands/run_cli.h"

namespace sockwarden {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// One of `names`, with the config file's wording for anything else.
CLI::Validator one_of(const std::vector<std::string>& names, const std::string& what) {
  return CLI::Validator(
      [names, what](std::string& value) -> std::string {
        for (const auto& n : names)
          if (value == n) return "";
        return what + " '" + value + "', expected one of " + joined(names);
      },
      joined(names));
}

// A check shared with the config parser: `why` returns "" or the reason.
CLI::Validator shared_check(std::string (*why)(const std::string&), const std::string& desc) {
  return CLI::Validator([why](std::string& value) { return why(value); }, desc);
}

}  // namespace

CLI::Validator check_spec(const IntSpec& spec) {
  return CLI::Validator(
      [spec](std::string& value) -> std::string {
        uint64_t n = 0;
        if (!parse_whole(value, &n)) return expected_text(spec) + ", found '" + value + "'";
        return value_error(spec, n);
      },
      std::to_string(spec.min) + ".." + std::to_string(spec.max));
}

CLI::Validator check_spec(const DecimalSpec& spec) {
  return CLI::Validator(
      [spec](std::string& value) -> std::string {
        double d = 0;
        if (!parse_decimal(value, &d)) return expected_text(spec) + ", found '" + value + "'";
        return value_error(spec, d);
      },
      spec.has_max ? format_number(spec.min) + ".." + format_number(spec.max) : ">= " + format_number(spec.min));
}

void add_host_root_option(CLI::App* cmd, std::string& dir) {
  cmd->add_option("--host-root", dir,
                  "DIR is the host's / as seen from here, to run inside the container image (with --pid host:\n"
                  "/proc/1/root; nothing is bind-mounted). Host paths (runtime sockets; for audit also /etc and\n"
                  "runtime state) are looked up under DIR, symlinks resolved inside it, and reported as the host\n"
                  "paths they are. The host's mount namespace is that of PID when DIR is /proc/PID/root, else PID 1.")
      ->type_name("DIR");
}

void add_capture_options(CLI::App* cmd, AgentOptions& o) {
  cmd->add_option("-s,--socket", o.sockets,
                  "Also watch this socket (repeatable). A path, a glob, or @name for an abstract socket.\n"
                  "Identity is the inode: symlinks, relative paths and container bind-mount aliases match.");
  cmd->add_flag("--no-default-sockets", o.no_default_sockets, "Watch only the --socket paths");
  add_host_root_option(cmd, o.host_root);
  cmd->add_option("--host-cgroup2", o.host_cgroup2,
                  "The host's whole cgroup2 hierarchy, mounted at DIR (default: found among the mounts, else\n"
                  "under --host-root). In a cgroup namespace of its own (a Kubernetes pod) the agent maps callers\n"
                  "to containers through it: docs/kubernetes-cgroupns.md")
      ->type_name("DIR");
  cmd->add_option("--tier", o.tier, "Hook tier: auto (best that loads), lsm, fentry, socket-tp, syscall-tp ('doctor' lists them)")
      ->capture_default_str()
      ->check(one_of(tier_names(), "unknown tier"));
  cmd->add_option("--payload-cap", o.payload_cap, "Bytes captured per write (max 16384)")
      ->capture_default_str()
      ->check(check_spec(spec::kPayloadCap));
  cmd->add_option("--request-budget", o.request_budget,
                  "Bytes kept per decoded HTTP/gRPC request (line, headers, body); beyond it the request is\n"
                  "reported truncated")
      ->capture_default_str()
      ->check(check_spec(spec::kRequestBudget));
  cmd->add_option("--decoder-budget-mb", o.decoder_budget_mb,
                  "MiB all connections' request decoding may hold together; past it the least recently written\n"
                  "connections are dropped and reported (lost events, cause decoder-budget)")
      ->capture_default_str()
      ->check(check_spec(spec::kDecoderBudgetMb));
  cmd->add_option("--flood-send-rate", o.flood_send_rate,
                  "Per process: sends per second (burst twice that) into the ring buffer before the rest are\n"
                  "suppressed and summarised in flood-suppressed events (0 = no limit)")
      ->capture_default_str()
      ->check(check_spec(spec::kFloodSendRate));
  cmd->add_option("--flood-connect-rate", o.flood_open_rate,
                  "Per process: new connections per second (burst twice that), each with its first send, before\n"
                  "suppression (0 = no limit)")
      ->capture_default_str()
      ->check(check_spec(spec::kFloodConnectRate));
  cmd->add_option("--ringbuf-kb", o.ringbuf_kb, "Kernel ring buffer size in KiB (power of two)")
      ->capture_default_str()
      ->check(check_spec(spec::kRingbufKb));
  cmd->add_option("--duration", o.duration_sec, "Stop after SEC seconds (default: until Ctrl-C / SIGTERM)")
      ->check(check_spec(spec::kDuration));
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

CLI::App* add_run_command(CLI::App& app, RunCommandLine& s) {
  auto* run = app.add_subcommand(
      "run", "Agent mode (systemd): JSON lines to stdout, files or syslog (config file outputs:), logs to stderr.");
  add_capture_options(run, s.cfg.agent);
  run->add_option("-o,--output", s.output, "Append JSON lines to FILE instead of stdout (replaces the config's outputs)");
  run->add_option("-c,--config", s.config_path,
                  std::string("Agent config file (YAML; default ") + kDefaultConfigPath +
                      " if it exists). Flags override it; SIGHUP re-reads it. docs/configuration.md lists every key.");
  run->add_flag("--check-config", s.check_config,
                "Validate the config (and expected-callers file): every mistake as FILE:LINE, exit 0 or 2");
  run->add_option("--heartbeat", s.cfg.heartbeat.interval_sec, "Heartbeat event every SEC seconds (0 = off)")
      ->capture_default_str()
      ->check(check_spec(spec::kHeartbeat));
  run->add_option("--prometheus-file", s.cfg.heartbeat.prometheus_file,
                  "Write the health counters in Prometheus text format to PATH (node_exporter textfile collector)")
      ->check(shared_check(prometheus_file_error, "absolute path"));
  run->add_option("--severity-threshold", s.cfg.severity_threshold,
                  "Emit request events of at least this severity: none, low, medium, high, critical")
      ->capture_default_str()
      ->check(one_of(severity_threshold_names(), "unknown severity"));
  run->add_option("--audit-interval", s.cfg.audit.interval_sec,
                  "Re-run the audit's checks every SEC seconds and report new/resolved findings as events "
                  "(0 = only at start and when a container changes); config audit.interval_sec")
      ->capture_default_str()
      ->check(check_spec(spec::kAuditInterval));
  run->add_flag("--no-audit", s.no_audit, "No continuous audit (no audit-finding events); config audit.enabled");
  run->add_option("--redact-header", s.cfg.redact_headers,
                  "Also redact this HTTP header's value in payloads (repeatable; replaces the config's\n"
                  "redaction.extra_headers)")
      ->check(shared_check(header_name_error, "header name"));
  return run;
}

}  // namespace sockwarden
