// The agent's config file (/etc/sockwarden/config.yaml): the run/trace flags
// as YAML keys, plus what only a long-running agent needs (outputs, heartbeat).
// Flags given on the command line override the file.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "sinks/output_config.h"

namespace sockwarden {

inline constexpr const char* kDefaultConfigPath = "/etc/sockwarden/config.yaml";

// audit: {enabled, interval_sec}: run's continuous audit (see continuous_audit.h).
struct AuditConfig {
  bool enabled = true;
  uint32_t interval_sec = 300;  // 0: only at start and on container changes
};

struct AgentConfig {
  AgentOptions agent;
  std::vector<OutputConfig> outputs;  // empty = JSON lines on stdout
  HeartbeatConfig heartbeat;
  std::string severity_threshold = "none";  // request events below it are not emitted
  std::vector<std::string> redact_headers;  // more header names whose values are redacted
  AuditConfig audit;
};

// run: copies cfg.audit into the agent options (trace never audits).
void apply_audit_config(AgentConfig& cfg);

// Reads and validates the whole file over `base` (defaults). Throws
// UserError(kExitUsage) as "FILE:LINE: what was wrong, expected ..."; nothing
// is half-applied since the result is a new value.
AgentConfig load_agent_config(const std::string& path, AgentConfig base = {});

// The flags the user typed (long names without dashes, e.g. "payload-cap")
// take their value from `cli`; everything without a config key (--duration,
// --pid, --expect, ...) always comes from `cli`.
AgentConfig merge_cli(const AgentConfig& file, const AgentConfig& cli, const std::set<std::string>& given);

// Everything --check-config checks beyond the file's own syntax: the option
// ranges, the expected-callers file, output destinations' parameters.
void check_agent_config(const AgentConfig& cfg);

// "none", "low", "medium", "high", "critical" -> ECS event.severity score; -1 if unknown.
int severity_threshold_score(const std::string& name);

}  // namespace sockwarden
