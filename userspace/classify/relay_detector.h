// Is the caller a relay? A process that forwards another socket (a TCP port,
// another unix socket) to a runtime socket makes every remote client look
// like that one local process: the relay is the caller the kernel sees, so
// the event names it and says where it relays from.
//
// A caller is a relay when it holds a listening TCP or unix socket other
// than the watched ones (matched by inode: /proc/PID/fd against
// /proc/PID/net/{tcp,tcp6,unix}, in the caller's network namespace), or when
// its executable is a known forwarding tool (socat, ncat, nc, ssh, ...), which
// covers a relay that accepted once and closed its listener.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/event.h"

namespace sockwarden {

// Listening sockets in /proc/net/unix text (flag __SO_ACCEPTCON):
// inode -> "unix:PATH" ("unix:@name" abstract, "unix:" unnamed).
std::unordered_map<uint64_t, std::string> parse_unix_listeners(const std::string& text);

// Is this executable (path or name) a known forwarding tool?
bool is_known_relay_tool(const std::string& exe);

class RelayDetector {
 public:
  // watched_paths: the runtime sockets themselves (a daemon's own listener is not a relay source).
  explicit RelayDetector(std::string proc_root = "/proc") : proc_root_(std::move(proc_root)) {}
  void set_watched_paths(std::set<std::string> paths) { watched_ = std::move(paths); }

  // What pid relays from (empty listen + empty tool: not a relay). Cached per
  // pid for a short time: the send path must not re-read /proc per write.
  RelayInfo inspect(pid_t pid, const std::string& executable, std::chrono::steady_clock::time_point now);

  // Sets flag "relay" and e.relay on caller events (connect, send,
  // existing-connection) of relay processes. Callers on the expected list
  // (runtime daemons relay by design) are left alone.
  void annotate(Event& e, std::chrono::steady_clock::time_point now);

 private:
  std::string proc_root_;
  std::set<std::string> watched_;
  struct Cached {
    RelayInfo info;
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<pid_t, Cached> cache_;
};

}  // namespace sockwarden
