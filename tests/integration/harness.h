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
  // What a stand-in daemon answers to a chunk it read ("": nothing). It runs on the
  // listener's thread, so it may act before it answers, as a daemon does (start a process,
  // rewrite its state).
  using Responder = std::function<std::string(const std::string& chunk)>;
  explicit Listener(const std::string& path, Responder respond = {});
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
  Responder respond_;
  std::thread thread_;
};

// A listener that never accepts or reads: connects complete (backlog) and
// writes stay queued, so no reader can race the hook. Returns the fd.
int quiet_listener(const std::string& path);

// Runs fn in a forked child; returns its pid after it exits with status 0
// (the test fails if it does not). fn's return value is the exit code.
pid_t run_child(const std::function<int()>& fn);
// Forks a child running fn (its return value is the exit code) without waiting for it.
pid_t spawn(const std::function<int()>& fn);
// Waits for a spawned child: its exit code, 128 + signal, or -1.
int reap(pid_t pid);
// The same, for at most timeout_ms: then the child is killed (SIGKILL), reaped, and -2 returned.
// For children that wait on something the test may fail to provide (a listener nobody reaches):
// a failed expectation, not a suite that hangs until the VM's timeout.
int reap_within(pid_t pid, int timeout_ms);

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

// Directories created under the cgroup2 mount, removed deepest first on
// destruction (a cgroup can only be removed once no process is left in it).
class CgroupTree {
 public:
  explicit CgroupTree(std::string root) : root_(std::move(root)) {}
  ~CgroupTree();
  // Creates every missing component of `rel` ("/a/b/c"); returns the full path.
  std::string make(const std::string& rel);

 private:
  std::string root_;
  std::vector<std::string> created_;
};

// Moves the calling process into the cgroup at `dir` (a CgroupTree path).
bool join_cgroup(const std::string& dir);

// The tiers the suite runs: $SW_TEST_TIERS (comma-separated; vmtest sets it
// per kernel), else the two this machine's kernel loads. A tier that does not
// load fails its tests: nothing is skipped.
std::vector<std::string> test_tiers();
std::string tier_test_name(const std::string& tier);  // "socket-tp" -> "socket_tp"

// What a tier can see, as docs/tiers.md states it.
bool kernel_has_connect_unix();  // cgroup/connect_unix (Linux >= 6.7)
bool stream_hook_tier(const std::string& tier);  // lsm, fentry: security hooks + fexit
// Refused connects (EACCES before any listener): syscall-tp always, the others
// only through cgroup/connect_unix.
bool tier_sees_refused_attempts(const std::string& tier);
// cgroup/connect_unix adds an attempt record before every successful connect.
bool tier_reports_attempt_on_success(const std::string& tier);

}  // namespace swtest
