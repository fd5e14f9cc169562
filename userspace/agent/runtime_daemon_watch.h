// When the agent looks for the running dockerd and containerd again.
//
// Their flags and config files name the directories container names and request effects are
// read from (enrich/docker_data_root, enrich/containerd_effect_state), so the agent needs them
// again whenever a daemon starts, restarts or exits. Finding them is a pass over /proc (a
// readlink per process, enrich/host_process trusted_daemons): on a host with thousands of
// processes, not something to repeat every few seconds "just in case" (issue 18: the agent
// scanned /proc three times every 5 s, the largest share of its idle CPU after the ring
// reads). Instead the kernel's exec and exit records say when: an exec of a binary named like
// a daemon, an exec or exit of a daemon found last time. A slow backstop scan covers records
// the process ring lost.
//
// Which process is *trusted* as the daemon is decided by the scan, never here: an exec named
// "dockerd" only makes the agent look. Any user can exec a binary of that name in a loop, so
// looks asked for by records are rationed: kBurst at once, then one per kRefill (the old
// timer's rate), so such a loop costs what the timer cost and a real start is seen at once.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "capture/raw_event.h"

namespace sockwarden {

class RuntimeDaemonWatch {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RuntimeDaemonWatch(std::vector<std::string> exe_names,
                              Clock::duration backstop = std::chrono::seconds(60));

  // A scan just ran (at `now`) and found these daemons' pids.
  void scanned(std::vector<uint32_t> pids, Clock::time_point now);
  // A process record from the kernel (exec, fork, exit).
  void on_proc_event(const ProcEvent& ev);
  // Is a scan due: a record said so (and the ration allows), or the backstop interval passed?
  bool due(Clock::time_point now);

  static constexpr int kBurst = 3;
  static constexpr Clock::duration kRefill = std::chrono::seconds(5);

  const std::vector<std::string>& exe_names() const { return exe_names_; }

 private:
  bool names_a_daemon(const ProcEvent& ev) const;
  bool known(uint32_t pid) const;

  std::vector<std::string> exe_names_;
  Clock::duration backstop_;
  std::vector<uint32_t> pids_;  // the daemons the last scan found
  bool changed_ = true;          // no scan yet
  Clock::time_point next_backstop_{};
  int tokens_ = kBurst;             // scans records may still ask for at once
  Clock::time_point refilled_{};    // when the last token came back
};

}  // namespace sockwarden
