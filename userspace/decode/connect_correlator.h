// Pairs connect attempts with their outcome.
//
// The socket tier sees an attempt before the kernel resolves the path
// (cgroup/connect_unix) and a success when the connect reaches the listener.
// An attempt that names a watched socket and is not followed by a success
// within the window never reached it: the connect was refused (EACCES on the
// socket file, no listener, ...). The syscall tier reports refusals directly
// with their errno.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "capture/raw_event.h"

namespace sockwarden {

struct ConnectResult {
  RawEvent ev;        // the success (Connect) or the attempt (ConnectAttempt)
  bool success = false;
};

class ConnectCorrelator {
 public:
  using Clock = std::chrono::steady_clock;
  // Maps an attempt to the watch it targets (by resolving its path in the
  // caller's mount namespace), filling ev.sock_ino/sock_dev; nullopt if the
  // path is not a watched socket. Called at most once per attempt, and only
  // for one whose outcome is not already known from its success record: at
  // settle(), at the end of the read batch the attempt arrived in, while the
  // caller is most likely still alive. Resolving costs 2-3 syscalls (open of
  // /proc/PID/root, openat2, fstat); the success record of a connect almost
  // always comes in the same batch, so almost no connect pays them.
  using Resolver = std::function<std::optional<uint32_t>(RawEvent& attempt)>;

  explicit ConnectCorrelator(Resolver resolver, std::chrono::milliseconds window = std::chrono::milliseconds(1000),
                             size_t max_pending = 65536);

  // Feed a Connect or ConnectAttempt; returns what is ready to report.
  std::vector<ConnectResult> feed(RawEvent&& ev, Clock::time_point now);
  // Resolves the attempts that are still waiting for their outcome; those
  // that do not name a watched socket are dropped. The agent calls it after
  // every read batch; expire() and flush() call it first.
  void settle();
  // Attempts whose window passed without a success: refused.
  std::vector<ConnectResult> expire(Clock::time_point now);
  // At exit: everything still pending is reported as refused.
  std::vector<ConnectResult> flush();

  size_t pending() const { return pending_.size(); }
  uint64_t overflowed() const { return overflowed_; }

 private:
  struct Pending {
    RawEvent ev;
    Clock::time_point deadline;
    bool resolved = false;  // the resolver ran and named a watch (ev.watch_id)
  };
  // Runs the resolver on p if it has not run yet; false if p names no watched socket.
  bool resolve(Pending& p);
  Resolver resolver_;
  std::chrono::milliseconds window_;
  size_t max_pending_;
  std::unordered_map<uint64_t, Pending> pending_;  // by caller socket inode
  uint64_t overflowed_ = 0;
};

}  // namespace sockwarden
