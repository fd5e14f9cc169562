// The agent's options and its entry point. The pipeline itself (capture ->
// correlate/build -> classify -> decode requests -> filter/redact -> sink) is
// wired in agent/pipeline.cpp; trace and run differ only in the sink they pass.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "capture/capture.h"
#include "classify/caller_policy.h"
#include "model/event.h"
#include "model/event_sink.h"

namespace sockwarden {

struct AgentOptions {
  std::vector<std::string> sockets;  // --socket (added to the defaults)
  bool no_default_sockets = false;
  std::string host_root;  // --host-root: socket paths are looked up under it ("" = own root)
  // --host-cgroup2 / host_cgroup2: where the host's whole cgroup2 hierarchy is
  // mounted ("" = find it: docs/kubernetes-cgroupns.md).
  std::string host_cgroup2;
  std::string tier = "auto";
  uint32_t payload_cap = 4096;
  uint32_t ringbuf_kb = 4096;  // RSS counts it twice (the kernel maps the data pages twice)
  uint32_t request_budget = 64 * 1024;  // --request-budget: bytes kept per decoded request
  uint32_t decoder_budget_mb = 64;      // --decoder-budget-mb: all decoder state together (MiB)
  uint32_t flood_send_rate = 5000;  // --flood-send-rate: sends per second per process before suppression (0 = off)
  uint32_t flood_open_rate = 500;   // --flood-connect-rate: new connections per second per process (0 = off)
  double duration_sec = 0;  // 0 = until SIGINT/SIGTERM
  std::set<uint32_t> pids;
  std::string container;            // --container NAME|glob|id-prefix
  bool only_flagged = false;        // --only-flagged
  std::vector<std::string> expect;  // --expect SPEC (exe:, uid:, container:, image:)
  std::string expected_callers_file;  // --expected-callers FILE (YAML)
  // --no-default-rules / default_rules: false. The built-in rules match by
  // exe path (*/runc, */kubelet, ...): a path is the caller's choice, so an
  // enforcing host may want only rules it wrote itself.
  bool no_default_rules = false;
  std::vector<std::string> docker_data_roots;  // --docker-data-root (running dockerds are found too)
  std::string docker_daemon_json = "/etc/docker/daemon.json";
  std::string containers_storage;  // --containers-storage: podman/CRI-O graph root ("" = /var/lib/containers/storage)
  std::string containers_runroot;  // --containers-runroot: their run root ("" = /run/containers/storage)
  std::string containerd_state;  // --containerd-state: containerd's state dir ("" = /run/containerd)
  bool enforce = false;            // --enforce: deny what the expected-caller policy does not allow
  bool deny_host_callers = false;  // --deny-host-callers: host callers need a rule too
  std::string state_dir = "/run/sockwarden";  // --state-dir: enforcement marker
  bool lifecycle_events = false;   // run: agent-start / agent-stop events through the sink
  bool existing_connections = true;  // report connections already open at start
  // run: re-evaluate `sockwarden audit`'s findings at start, every
  // audit_interval_sec (0: never periodically) and after risky container
  // creates/starts/removes; report them as audit-finding events.
  bool continuous_audit = false;
  uint32_t audit_interval_sec = 300;  // --audit-interval
  std::string proc_root = "/proc";
  std::string mountinfo = "/proc/self/mountinfo";
  std::vector<ExpectedCaller> expected_rules;  // the config file's expected_callers list
  // SIGHUP with a config file: fills `next` with the re-read options (parsed
  // and validated, nothing applied yet) and returns the step that applies the
  // rest (outputs, heartbeat). Throws UserError to keep the running config.
  std::function<std::function<void()>(AgentOptions& next)> reload_config;
};

// Validate options without touching the kernel; throws UserError(kExitUsage).
void validate_agent_options(const AgentOptions& opts);

// Defaults, then --expected-callers FILE, the config's list, then every --expect.
CallerPolicy build_caller_policy(const AgentOptions& opts);

// The options a running agent cannot change on SIGHUP (BPF programs, ring
// buffer, enforcement mode, ...): reload warns that they need a restart.
std::vector<std::string> restart_only_changes(const AgentOptions& before, const AgentOptions& after);

// Runs until the duration ends or SIGINT/SIGTERM; drains the ring buffer
// before returning. Throws UserError for anything the user must fix.
RunStats run_agent(const AgentOptions& opts, EventSink& sink);

}  // namespace sockwarden
