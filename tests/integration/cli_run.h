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

// The JSON lines written so far -> "the test has seen what it waits for".
using Until = std::function<bool(const std::vector<nlohmann::json>& lines)>;

// The same, but stops the agent as soon as `until` holds on its JSON lines
// (checked every 50 ms once `during` returned): SIGTERM, on which the agent drains
// its queues and writes agent-stop exactly as when its --duration ends. The
// --duration stays the upper bound, so a test whose evidence never comes fails
// as before, only no longer waits out a fixed run when it comes early (CI time:
// under QEMU/TCG the fixed runs were most of a guest's suite). Use it only
// where the assertions need something to be present, not absent.
Run run_binary_until(const std::string& args, const std::function<void(pid_t agent)>& during, const Until& until,
                     int startup_ms = 100);

// Whether a JSON line is an event of `action` (and of process `pid`, unless 0).
bool is_event(const nlohmann::json& j, const std::string& action, pid_t pid = 0);

// `until` for run_binary_until: at least `n` events of `action` from `pid` (any while 0) are out. The pid is
// read when the lines are checked, so it may be one `during` sets.
Until seen(const std::string& action, const pid_t& pid, size_t n = 1);

// The events of one event.action (and one pid, unless 0).
std::vector<nlohmann::json> with_action(const Run& r, const std::string& action, pid_t pid = 0);

// The caller flags of an event's sockwarden.flags (container-originated, namespaced, unexpected-caller, relay),
// without the capture flags. A capture flag depends on timing the test does not control: on socket-tp, a
// listener that dequeued the bytes before the hook ran gives `payload-from-user-memory` (seen under TCG).
nlohmann::json caller_flags(const nlohmann::json& event);

}  // namespace swtest
