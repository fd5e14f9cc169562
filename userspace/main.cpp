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
#include "agent/agent.h"
#include "agent/config_file.h"
#include "agent/outputs_sink.h"
#include "audit/run_audit.h"
#include "commands/run_cli.h"
#include "commands/doctor.h"
#include "commands/lint.h"
#include "format/term_size.h"
#include "format/trace_view.h"
#include "sinks/trace_sinks.h"

using namespace sockwarden;

namespace {

const char* kExitCodes =
    "Exit codes: 0 ok, 1 runtime error, 2 bad usage or config, 3 not root / missing capabilities,\n"
    "            4 kernel unsupported (no BTF, no hook tier loads).\n"
    "            audit and lint report findings in their exit code instead: see their --help.";

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
      "Live view for a responder: one row per API request and connect on a watched socket (--view all:\n"
      "every send and reply too), in time order, fitted to the terminal; top callers at exit (docs/trace.md).\n"
      "Default sockets: /var/run/docker.sock, /run/containerd/containerd.sock, /run/crio/crio.sock,\n"
      "/run/podman/podman.sock, /run/buildkit/buildkitd.sock, /run/user/*/docker.sock,\n"
      "/run/user/*/podman/podman.sock (those that exist; others are picked up when they appear).");
  add_capture_options(trace, trace_opts);
  trace->add_flag("--json", json, "One JSON object per line instead of the table (ends with a summary line)");
  trace->add_option("--container", trace_opts.container, "Only callers in this container (name, glob or id prefix)");
  trace->add_flag("--only-flagged", trace_opts.only_flagged,
                  "Only events with a caller flag (container-originated, namespaced, unexpected-caller)");
  trace->add_option("--config", trace_config, "Read the capture settings of this agent config file (YAML)");
  std::string trace_view = "requests";
  auto* trace_view_opt = trace->add_option("--view", trace_view,
                   "Which rows: 'requests' (default for the table) = one row per decoded API request, plus\n"
                   "connects and every problem (refused connects, errors, lost events, floods);\n"
                   "'all' (default with --json) = also every raw send and reply")
      ->check(CLI::IsMember({"requests", "all"}));
  size_t trace_width = 0;
  auto* trace_width_opt = trace->add_option(
      "--width", trace_width,
      "Fit rows in N columns (0 = never cut). Default: the terminal's width, followed as it is resized\n"
      "($COLUMNS, else 80, if it cannot be read); unlimited when stdout is not a terminal")
      ->check(CLI::Range(size_t{0}, size_t{10000}));

  RunCommandLine run_cli;
  AgentConfig& run_cfg = run_cli.cfg;
  auto* run = add_run_command(app, run_cli);

  DoctorOptions doctor_opts;
  auto* doctor = app.add_subcommand("doctor", "Check privileges, BTF, cgroup v2 and which hook tiers load here.");
  doctor->footer(
      "Exit codes: 0 a hook tier loads (selected tier), 3 not root / missing capabilities,\n"
      "            4 no BTF or no tier loads; the same in text and --json mode (--json: \"exit_code\").\n"
      "            Bad usage exits 2 with a message on stderr and nothing on stdout.\n"
      "Examples:   sudo sockwarden doctor\n"
      "            sudo sockwarden doctor --json | jq .selected_tier     (schema: sockwarden-doctor.schema.json)\n"
      "            sockwarden doctor --json --host-root /proc/1/root     (in the image, before rolling out)");
  doctor->add_option("-s,--socket", doctor_opts.sockets, "Also check this socket path");
  doctor->add_flag("--json", doctor_opts.json,
                   "One JSON object on stdout (kernel, privileges, BTF, cgroup v2, LSMs, tiers, sockets), logs on stderr");
  add_host_root_option(doctor, doctor_opts.host_root);
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
      "            sudo sockwarden audit --socket /srv/ci/docker.sock --docker-data-root /srv/docker\n"
      "            sockwarden audit --host-root /proc/1/root      (inside the image, with --pid host)");
  audit->add_flag("--json", audit_opts.json, "One JSON document (findings, sockets, tcp, mounts, connections, containers)");
  audit->add_option("-s,--socket", audit_opts.sockets,
                    "Also audit this socket (repeatable; a path or a glob such as /run/user/*/docker.sock)");
  audit->add_flag("--no-default-sockets", audit_opts.no_default_sockets, "Audit only the --socket paths");
  audit->add_option("--docker-data-root", audit_opts.docker_data_roots,
                    "Docker data root(s) to read containers from (running dockerds and daemon.json are found anyway)");
  audit->add_option("--containerd-state", audit_opts.containerd_state,
                    "containerd's state directory (default /run/containerd)");
  add_host_root_option(audit, audit_opts.host_root);

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
        // --json: stdout carries the JSON object only.
        if (doctor_opts.json)
          spdlog::warn("config: cannot load it: {}", e.what());
        else
          std::cout << "config:        cannot load it: " << e.what() << "\n";
      }
      return run_doctor(std::cout, doctor_opts, cfg ? &cfg->agent : nullptr);
    }
    if (*audit) return run_audit(audit_opts, std::cout);
    if (*lint) {
      lint_opts.format = lint_json ? LintFormat::Json : lint_sarif ? LintFormat::Sarif : LintFormat::Text;
      return run_lint(lint_opts, std::cout, std::cerr);
    }
    if (*trace) {
      if (!trace_config.empty())
        trace_opts = resolve_config(trace_config, false, trace_cfg, given_options(trace)).agent;
      // The table defaults to the requests view; JSON lines keep every
      // event unless --view says otherwise (scripts rely on the send lines).
      TraceView view = json && trace_view_opt->count() == 0 ? TraceView::All : *parse_trace_view(trace_view);
      if (json) {
        if (trace_width_opt->count()) throw UserError(kExitUsage, "--width applies to the table, not to --json");
        JsonLinesSink sink("-", /*with_summary=*/true, view);
        run_agent(trace_opts, sink);
      } else {
        TableOptions table;
        table.color = isatty(STDOUT_FILENO);
        table.view = view;
        if (trace_width_opt->count()) {
          table.width = trace_width;
        } else {
          table.width = terminal_width(STDOUT_FILENO);
          if (table.width) table.follow_fd = STDOUT_FILENO;
        }
        TableSink sink(std::cout, table);
        run_agent(trace_opts, sink);
      }
      return kExitOk;
    }
    if (*run) {
      run_cfg.outputs = outputs_for_flag(run_cli.output);
      run_cfg.audit.enabled = !run_cli.no_audit;  // taken over the file's only when typed (merge_cli)
      const auto given = given_options(run);
      const std::string& run_config = run_cli.config_path;
      auto load = [&]() { return resolve_config(run_config, true, run_cfg, given); };
      AgentConfig cfg = load();
      if (run_cli.check_config) {
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
    // One line per mistake: a config file reports all of its mistakes at once.
    std::string what = e.what();
    for (size_t at = 0; at <= what.size();) {
      size_t nl = what.find('\n', at);
      if (nl == std::string::npos) nl = what.size();
      spdlog::error("{}", what.substr(at, nl - at));
      at = nl + 1;
    }
    if (!e.hint().empty()) spdlog::error("hint: {}", e.hint());
    return e.code();
  } catch (const std::exception& e) {
    spdlog::error("unexpected error: {}", e.what());
    return kExitRuntime;
  }
  return kExitUsage;
}
