#include "decode/connect_correlator.h"

#include "events.h"

namespace sockwarden {

ConnectCorrelator::ConnectCorrelator(Resolver resolver, std::chrono::milliseconds window, size_t max_pending)
    : resolver_(std::move(resolver)), window_(window), max_pending_(max_pending) {}

std::vector<ConnectResult> ConnectCorrelator::feed(RawEvent&& ev, Clock::time_point now) {
  std::vector<ConnectResult> out;
  if (ev.kind == EventKind::Connect) {
    if (!pending_.erase(ev.client_sock_ino)) {
      // The listener hook could not name the caller's socket: the attempt
      // of the same thread is the one that succeeded (connect is synchronous).
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->second.ev.pid == ev.pid) {
          if (ev.client_sock_ino == 0) ev.client_sock_ino = it->second.ev.client_sock_ino;
          if (ev.fd < 0) ev.fd = it->second.ev.fd;
          pending_.erase(it);
          break;
        }
      }
    }
    out.push_back({std::move(ev), true});
    return out;
  }
  if (ev.kind != EventKind::ConnectAttempt) return out;
  if (ev.flags & SW_F_RESULT_KNOWN) {
    if (ev.result >= 0) return out;  // a success: its Connect record reports it
    auto watch = resolver_(ev);
    if (!watch) return out;  // basename matched, but a different socket
    ev.watch_id = *watch;
    out.push_back({std::move(ev), false});  // refused, with its errno
    return out;
  }
  uint64_t key = ev.client_sock_ino;
  if (auto prev = pending_.find(key); prev != pending_.end()) {
    // A new attempt on the same socket: the earlier one got no Connect
    // record before it, so it was refused (and the caller retried).
    if (resolve(prev->second)) out.push_back({std::move(prev->second.ev), false});
    pending_.erase(prev);
  }
  Pending p{std::move(ev), now + window_};
  if (pending_.size() >= max_pending_) {
    // Never drop silently: report the oldest-possible outcome now.
    overflowed_++;
    if (resolve(p)) out.push_back({std::move(p.ev), false});
    return out;
  }
  pending_[key] = std::move(p);
  return out;
}

bool ConnectCorrelator::resolve(Pending& p) {
  if (p.resolved) return true;
  auto watch = resolver_(p.ev);
  if (!watch) return false;
  p.ev.watch_id = *watch;
  p.resolved = true;
  return true;
}

void ConnectCorrelator::settle() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (resolve(it->second)) ++it;
    else it = pending_.erase(it);  // basename matched, but a different socket
  }
}

std::vector<ConnectResult> ConnectCorrelator::expire(Clock::time_point now) {
  settle();
  std::vector<ConnectResult> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline <= now) {
      out.push_back({std::move(it->second.ev), false});
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<ConnectResult> ConnectCorrelator::flush() {
  settle();
  std::vector<ConnectResult> out;
  for (auto& [_, p] : pending_) out.push_back({std::move(p.ev), false});
  pending_.clear();
  return out;
}

}  // namespace sockwarden
