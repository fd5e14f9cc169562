#include "agent/runtime_daemon_watch.h"

#include <algorithm>
#include <string_view>

namespace sockwarden {

RuntimeDaemonWatch::RuntimeDaemonWatch(std::vector<std::string> exe_names, Clock::duration backstop)
    : exe_names_(std::move(exe_names)), backstop_(backstop) {}

bool RuntimeDaemonWatch::due(Clock::time_point now) {
  if (tokens_ >= kBurst) {
    refilled_ = now;
  } else {
    while (tokens_ < kBurst && now - refilled_ >= kRefill) {
      tokens_++;
      refilled_ += kRefill;
    }
  }
  return (changed_ && tokens_ > 0) || now >= next_backstop_;
}

void RuntimeDaemonWatch::scanned(std::vector<uint32_t> pids, Clock::time_point now) {
  // A scan a record asked for spends a token; the backstop's is free.
  if (changed_ && now < next_backstop_ && tokens_ > 0) tokens_--;
  pids_ = std::move(pids);
  changed_ = false;
  next_backstop_ = now + backstop_;
}

bool RuntimeDaemonWatch::known(uint32_t pid) const {
  return std::find(pids_.begin(), pids_.end(), pid) != pids_.end();
}

bool RuntimeDaemonWatch::names_a_daemon(const ProcEvent& ev) const {
  // The path passed to execve, or the comm the kernel set from it (the filename can be
  // relative or go through a symlink named otherwise). Either is only a reason to look.
  std::string_view file = ev.filename;
  file = file.substr(file.rfind('/') + 1);
  return std::any_of(exe_names_.begin(), exe_names_.end(),
                     [&](const std::string& n) { return file == n || ev.comm == n; });
}

void RuntimeDaemonWatch::on_proc_event(const ProcEvent& ev) {
  switch (ev.kind) {
    case ProcEventKind::Exec:
      // A daemon starting, or a known one exec'ing something else (a re-exec, a restart in place).
      if (names_a_daemon(ev) || known(ev.tgid)) changed_ = true;
      break;
    case ProcEventKind::Exit:
      if (known(ev.tgid)) changed_ = true;
      break;
    case ProcEventKind::Fork:
      break;  // a child of a daemon runs the daemon's image until it execs: not a new daemon
  }
}

}  // namespace sockwarden
