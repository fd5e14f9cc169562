#include "agent/agent.h"

#include <string>
#include <vector>

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
  if (a.flood_send_rate != b.flood_send_rate || a.flood_open_rate != b.flood_open_rate) keys.push_back("flood rates");
  if (a.enforce != b.enforce) keys.push_back("enforce.mode");
  if (a.deny_host_callers != b.deny_host_callers) keys.push_back("enforce.deny_host_callers");
  if (a.state_dir != b.state_dir) keys.push_back("state_dir");
  if (a.docker_data_roots != b.docker_data_roots) keys.push_back("docker_data_root");
  if (a.containerd_state != b.containerd_state) keys.push_back("containerd_state");
  if (a.containers_storage != b.containers_storage) keys.push_back("containers_storage");
  if (a.containers_runroot != b.containers_runroot) keys.push_back("containers_runroot");
  if (a.continuous_audit != b.continuous_audit) keys.push_back("audit.enabled");
  return keys;
}

void validate_agent_options(const AgentOptions& o) {
  for (const auto& s : o.sockets) {
    auto err = WatchList::validate_spec(s);
    if (!err.empty()) throw UserError(kExitUsage, "--socket '" + s + "': " + err);
  }
  std::string root_error;
  normalize_host_root(o.host_root, &root_error);
  if (!root_error.empty()) throw UserError(kExitUsage, "--host-root " + root_error);
  if (o.no_default_sockets && o.sockets.empty())
    throw UserError(kExitUsage, "--no-default-sockets needs at least one --socket PATH");
  if (o.tier != "auto" && !find_tier(o.tier)) {
    std::string names;
    for (const auto& t : tier_table()) names += std::string(" ") + t.name;
    throw UserError(kExitUsage, "--tier '" + o.tier + "': unknown tier (choose auto" + names + ")");
  }
  if (o.payload_cap > SW_PAYLOAD_MAX)
    throw UserError(kExitUsage, "--payload-cap " + std::to_string(o.payload_cap) + ": at most " +
                                    std::to_string(SW_PAYLOAD_MAX) + " bytes");
  uint32_t kb = o.ringbuf_kb;
  if (kb < 4 || (kb & (kb - 1)) != 0 || kb > (1u << 20))
    throw UserError(kExitUsage, "--ringbuf-kb " + std::to_string(kb) + ": must be a power of two between 4 and 1048576");
  if (o.request_budget < 1024 || o.request_budget > (16u << 20))
    throw UserError(kExitUsage, "--request-budget " + std::to_string(o.request_budget) +
                                    ": must be between 1024 and 16777216 bytes");
  if (o.decoder_budget_mb < 4 || o.decoder_budget_mb > 16384)
    throw UserError(kExitUsage, "--decoder-budget-mb " + std::to_string(o.decoder_budget_mb) +
                                    ": must be between 4 and 16384 MiB");
  if (o.flood_send_rate > 1000000 || o.flood_open_rate > 1000000)
    throw UserError(kExitUsage, "--flood-send-rate / --flood-connect-rate: at most 1000000 per second (0 = no limit)");
  if (o.audit_interval_sec > 86400 * 7)
    throw UserError(kExitUsage, "--audit-interval " + std::to_string(o.audit_interval_sec) +
                                    ": at most 604800 seconds (0 = only at start and on container changes)");
  if (!(o.duration_sec >= 0)) throw UserError(kExitUsage, "--duration must be a number of seconds >= 0");
  for (const auto& spec : o.expect) parse_expected_spec(spec, "--expect");
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
