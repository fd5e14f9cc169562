// sockwarden: who talks to a container runtime's control socket, and what
// they ask it to do. This file only parses the command line.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "capture/bpf_tier.h"
#include "capture/errors.h"
#include "commands/agent.h"
#include "commands/doctor.h"
#include "commands/sinks.h"

using namespace sockwarden;

namespace {

const char* kExitCodes =
    "Exit codes: 0 ok, 1 runtime error, 2 bad usage or config, 3 not root / missing capabilities,\n"
    "            4 kernel unsupported (no BTF, no hook tier loads).";

void add_capture_options(CLI::App* cmd, AgentOptions& o) {
  cmd->add_option("-s,--socket", o.sockets,
                  "Also watch this socket (repeatable). A path, a glob, or @name for an abstract socket.\n"
                  "Identity is the inode: symlinks, relative paths and container bind-mount aliases match.");
  cmd->add_flag("--no-default-sockets", o.no_default_sockets, "Watch only the --socket paths");
  cmd->add_option("--tier", o.tier, "Hook tier: auto (best that loads), socket-tp, syscall-tp")
      ->capture_default_str();
  cmd->add_option("--payload-cap", o.payload_cap, "Bytes captured per write (max 16384)")->capture_default_str();
  cmd->add_option("--request-budget", o.request_budget,
                  "Bytes kept per decoded HTTP/gRPC request (line, headers, body); beyond it the request is\n"
                  "reported truncated")
      ->capture_default_str();
  cmd->add_option("--ringbuf-kb", o.ringbuf_kb, "Kernel ring buffer size in KiB (power of two)")->capture_default_str();
  cmd->add_option("--duration", o.duration_sec, "Stop after SEC seconds (default: until Ctrl-C / SIGTERM)");
  cmd->add_option("-p,--pid", o.pids, "Only events of this process, its threads and direct children (repeatable)");
  cmd->add_option("--expect", o.expect,
                  "Expected caller, not flagged unexpected-caller (repeatable): exe:/path/glob, a bare /path,\n"
                  "uid:N, container:NAME-glob, image:IMAGE-glob. Runtime daemons and shims are expected by default.");
  cmd->add_option("--expected-callers", o.expected_callers_file,
                  "YAML file with more expected callers (expected_callers: [{exe: ...}, {uid: ...}, ...])");
  cmd->add_option("--docker-data-root", o.docker_data_roots,
                  "Docker data root(s) for container names (running dockerds and daemon.json are found anyway)");
  cmd->add_option("--containerd-state", o.containerd_state,
                  "containerd's state directory, for container names (default /run/containerd)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sockwarden: see who talks to container runtime sockets (docker.sock, containerd.sock, ...)\n"
      "and what they send. Needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN) and a BTF kernel.\n\n"
      "Quick start:  sudo sockwarden trace            live table of every caller\n"
      "              sudo sockwarden trace --json     the same as JSON lines\n"
      "              sudo sockwarden doctor           what this kernel supports"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logs, including libbpf's (to stderr)");

  AgentOptions trace_opts;
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

  AgentOptions run_opts;
  std::string output;
  auto* run = app.add_subcommand("run", "Agent mode (systemd): JSON lines to stdout or --output FILE, logs to stderr.");
  add_capture_options(run, run_opts);
  run->add_option("-o,--output", output, "Append JSON lines to FILE instead of stdout");

  std::vector<std::string> doctor_sockets;
  auto* doctor = app.add_subcommand("doctor", "Check privileges, BTF, cgroup v2 and which hook tiers load here.");
  doctor->add_option("-s,--socket", doctor_sockets, "Also check this socket path");

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
    if (*doctor) return run_doctor(std::cout, doctor_sockets);
    if (*trace) {
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
      JsonLinesSink sink(output, /*with_summary=*/false);
      run_agent(run_opts, sink);
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
