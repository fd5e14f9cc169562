#include "agent/agent.h"

#include <string>
#include <vector>

#include "agent/config_keys.h"
#include "agent/pipeline.h"
#include "capture/errors.h"
#include "capture/watch_list.h"
#include "events.h"

namespace sockwarden {

// Keys a running agent cannot change: the BPF programs, the ring buffer and
// the enforcement mode are set up once.
std::vector<std::string> restart_only_changes(const AgentOptions& a, const AgentOptions& b) {
  std::vector<std::string> keys;
  if (a.tier != b.tier) keys.push_back("tier");
  if (a.payload_cap != b.payload_cap) keys.push_back("payload_cap");
  if (a.ringbuf_kb != b.ringbuf_kb) keys.push_back("ringbuf_kb");
  if (a.request_budget != b.request_budget) keys.push_back("request_budget");
  if (a.decoder_budget_mb != b.decoder_budget_mb) keys.push_back("decoder_budget_mb");
  if (a.flood_send_rate != b.flood_send_rate) keys.push_back("flood_send_rate");
  if (a.flood_open_rate != b.flood_open_rate) keys.push_back("flood_connect_rate");
  if (a.host_root != b.host_root) keys.push_back("host_root");
  if (a.duration_sec != b.duration_sec) keys.push_back("duration_sec");
  if (a.enforce != b.enforce) keys.push_back("enforce.mode");
  if (a.deny_host_callers != b.deny_host_callers) keys.push_back("enforce.deny_host_callers");
  if (a.state_dir != b.state_dir) keys.push_back("state_dir");
  if (a.docker_data_roots != b.docker_data_roots) keys.push_back("docker_data_root");
  if (a.containerd_state != b.containerd_state) keys.push_back("containerd_state");
  if (a.host_cgroup2 != b.host_cgroup2) keys.push_back("host_cgroup2");
  if (a.containers_storage != b.containers_storage) keys.push_back("containers_storage");
  if (a.containers_runroot != b.containers_runroot) keys.push_back("containers_runroot");
  if (a.continuous_audit != b.continuous_audit) keys.push_back("audit.enabled");
  return keys;
}

void validate_agent_options(const AgentOptions& o) {
  // Every problem, one per line (the ranges are config_keys.h's, shared
  // with the config file and the CLI validators).
  std::vector<std::string> errors;
  auto range = [&](const IntSpec& spec, uint64_t value) {
    auto why = value_error(spec, value);
    if (!why.empty()) errors.push_back(std::string(spec.option) + ": " + why);
  };
  for (const auto& s : o.sockets) {
    auto err = WatchList::validate_spec(s);
    if (!err.empty()) errors.push_back("--socket '" + s + "': " + err);
  }
  std::string root_error;
  normalize_host_root(o.host_root, &root_error);
  if (!root_error.empty()) errors.push_back("--host-root " + root_error);
  if (!o.host_cgroup2.empty() && o.host_cgroup2[0] != '/')
    errors.push_back("--host-cgroup2 '" + o.host_cgroup2 + "': must be an absolute path");
  if (o.no_default_sockets && o.sockets.empty())
    errors.push_back("--no-default-sockets needs at least one --socket PATH");
  if (o.tier != "auto" && !find_tier(o.tier)) {
    std::string names;
    for (const auto& t : tier_table()) names += std::string(" ") + t.name;
    errors.push_back("--tier '" + o.tier + "': unknown tier (choose auto" + names + ")");
  }
  range(spec::kPayloadCap, o.payload_cap);
  range(spec::kRingbufKb, o.ringbuf_kb);
  range(spec::kRequestBudget, o.request_budget);
  range(spec::kDecoderBudgetMb, o.decoder_budget_mb);
  range(spec::kFloodSendRate, o.flood_send_rate);
  range(spec::kFloodConnectRate, o.flood_open_rate);
  range(spec::kAuditInterval, o.audit_interval_sec);
  if (auto why = value_error(spec::kDuration, o.duration_sec); !why.empty())
    errors.push_back("--duration must be a number of seconds >= 0");
  for (const auto& spec : o.expect) {
    try {
      parse_expected_spec(spec, "--expect");
    } catch (const UserError& e) {
      errors.emplace_back(e.what());
    }
  }
  if (errors.empty()) return;
  std::string all;
  for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
  throw UserError(kExitUsage, all);
}

CallerPolicy build_caller_policy(const AgentOptions& o) {
  CallerPolicy policy = o.no_default_rules ? CallerPolicy() : CallerPolicy::with_defaults();
  if (!o.expected_callers_file.empty()) policy.load_file(o.expected_callers_file);
  for (const auto& rule : o.expected_rules) policy.add(rule);
  for (const auto& spec : o.expect) policy.add(parse_expected_spec(spec, "--expect"));
  return policy;
}

RunStats run_agent(const AgentOptions& opts, EventSink& sink) {
  Agent agent(opts, sink);
  return agent.run();
}

}  // namespace sockwarden
