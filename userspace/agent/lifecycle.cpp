#include "agent/lifecycle.h"

#include <unistd.h>

#include <cstring>

#ifndef SW_VERSION
#define SW_VERSION "unknown"
#endif

namespace sockwarden {
namespace {

Event lifecycle_event(const char* action, const RunStats& stats, AgentLifecycle a, uint64_t realtime_ns) {
  Event e;
  e.action = action;
  e.outcome = "success";
  e.realtime_ns = realtime_ns;
  e.tier = stats.tier;
  a.version = SW_VERSION;
  a.pid = static_cast<uint32_t>(getpid());
  a.tier = stats.tier;
  a.enforcement = stats.enforcement;
  e.agent = std::move(a);
  return e;
}

}  // namespace

const char* agent_version() { return SW_VERSION; }

std::string stop_reason(int stop_signal) {
  if (stop_signal == 0) return "duration";
  const char* abbrev = sigabbrev_np(stop_signal);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(stop_signal);
}

Event agent_start_event(const RunStats& stats, std::vector<std::string> watched_sockets, uint64_t existing_connections,
                        uint64_t realtime_ns) {
  AgentLifecycle a;
  a.sockets = std::move(watched_sockets);
  a.existing_connections = existing_connections;
  return lifecycle_event("agent-start", stats, std::move(a), realtime_ns);
}

Event agent_stop_event(const RunStats& stats, int stop_signal, double uptime_sec, uint64_t realtime_ns) {
  AgentLifecycle a;
  a.reason = stop_reason(stop_signal);
  a.events = stats.emitted;
  a.lost = stats.lost;
  a.requests = stats.requests;
  a.kernel_records = stats.kernel.events;
  a.uptime_sec = uptime_sec;
  return lifecycle_event("agent-stop", stats, std::move(a), realtime_ns);
}

}  // namespace sockwarden
