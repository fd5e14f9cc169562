// Runs the real sockwarden binary (SW_BINARY) as a user would and parses its
// JSON lines: the CLI-level integration tests share this.
#pragma once
#include <sys/types.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace swtest {

struct Run {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
  std::vector<nlohmann::json> lines;
  // Killed by a signal while writing its last line: that line is not in `lines`.
  bool cut_last_line = false;
};

// Starts `sockwarden ARGS`, waits for its "ready:" log line (up to 30 s), then
// startup_ms more, and runs `during` while it captures;
// waits for it to exit (give it a --duration).
Run run_binary(const std::string& args, const std::function<void()>& during = {}, int startup_ms = 100);

// The same, handing `during` the agent's pid (to signal it).
Run run_binary_with_pid(const std::string& args, const std::function<void(pid_t agent)>& during,
                        int startup_ms = 100);

// The events of one event.action (and one pid, unless 0).
std::vector<nlohmann::json> with_action(const Run& r, const std::string& action, pid_t pid = 0);

}  // namespace swtest
