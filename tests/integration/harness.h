// Test harness for the privileged integration suite: a real listener on a
// temp socket, the real BPF programs loaded through Capture, and child
// processes that perform the real syscalls.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "capture/capture.h"
#include "capture/watch_list.h"

namespace swtest {

// A temp directory removed (recursively) on destruction.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

// A unix stream listener that accepts every connection and drains it,
// like a daemon would. Path "" + abstract name "@x" for abstract sockets.
class Listener {
 public:
  explicit Listener(const std::string& path);
  ~Listener();
  const std::string& path() const { return path_; }
  uint64_t inode() const;
  // Replies with `reply` to every chunk received (empty: no reply).
  void set_reply(const std::string& reply) { reply_ = reply; }

 private:
  void loop();
  std::string path_;
  uint64_t ino_ = 0;
  int fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::string reply_;
  std::thread thread_;
};

// A listener that never accepts or reads: connects complete (backlog) and
// writes stay queued, so no reader can race the hook. Returns the fd.
int quiet_listener(const std::string& path);

// Runs fn in a forked child; returns its pid after it exits with status 0
// (the test fails if it does not). fn's return value is the exit code.
pid_t run_child(const std::function<int()>& fn);

// connect() a new unix stream socket to path ("@name" = abstract); -1 on error (errno set).
int connect_unix(const std::string& path);

// Socket inode of an fd (what /proc/PID/fd shows as socket:[N]).
uint64_t fd_inode(int fd);

// Loads the tier and watches `specs`; collects events until pred holds or timeout.
class Session {
 public:
  Session(const std::string& tier, const std::vector<std::string>& specs, uint32_t payload_cap = 4096,
          uint32_t ringbuf_bytes = 1u << 22);
  sockwarden::Capture& capture() { return *capture_; }
  void resync();
  // Polls until pred(all events so far) is true or the timeout passes.
  const std::vector<sockwarden::RawEvent>& collect(
      const std::function<bool(const std::vector<sockwarden::RawEvent>&)>& pred,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // Polls for a fixed time (for "nothing happens" assertions).
  const std::vector<sockwarden::RawEvent>& settle(std::chrono::milliseconds t = std::chrono::milliseconds(500));
  std::vector<sockwarden::RawEvent> of(pid_t tgid, sockwarden::EventKind kind) const;
  const std::vector<sockwarden::RawEvent>& events() const { return events_; }

 private:
  std::unique_ptr<sockwarden::Capture> capture_;
  sockwarden::WatchList watches_;
  std::vector<sockwarden::RawEvent> events_;
};

std::string cgroup2_root();

}  // namespace swtest
