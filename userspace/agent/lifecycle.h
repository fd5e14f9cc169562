// agent-start / agent-stop: the events `run` frames its stream with.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "model/event.h"

namespace sockwarden {

// The version events carry (the CMake project version).
const char* agent_version();

// First line of a run: tier, enforcement level, what is watched, how many
// existing-connection events follow.
Event agent_start_event(const RunStats& stats, std::vector<std::string> watched_sockets,
                        uint64_t existing_connections, uint64_t realtime_ns);

// Last line of a run: why it stopped (a signal, else the --duration), totals.
// stats.emitted counts the lines written before it.
Event agent_stop_event(const RunStats& stats, int stop_signal, double uptime_sec, uint64_t realtime_ns);

// "SIGTERM" for 15; "duration" for 0.
std::string stop_reason(int stop_signal);

}  // namespace sockwarden
