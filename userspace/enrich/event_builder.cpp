#include "enrich/event_builder.h"

#include <cerrno>
#include <cstring>

#include "capture/bpf_tier.h"
#include "events.h"

namespace sockwarden {

std::string errno_name(int err) {
  if (err < 0) err = -err;
  switch (err) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EAGAIN: return "EAGAIN";
    case EPIPE: return "EPIPE";
    case ECONNRESET: return "ECONNRESET";
    case ENOTCONN: return "ENOTCONN";
    case EINTR: return "EINTR";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPROTOTYPE: return "EPROTOTYPE";
    case EINVAL: return "EINVAL";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    default: return "errno " + std::to_string(err);
  }
}

const char* tier_name(uint16_t tier) {
  const TierInfo* t = find_tier(tier);
  return t ? t->name : "unknown";
}

// Ancestors reported per event: the issue asks for at least 4.
constexpr size_t kAncestors = 8;
// Processes whose derived info is kept (cleared whole when full: refilled on use).
constexpr size_t kProcessCacheMax = 4096;

void EventBuilder::fill_process(Event& e) {
  const RawEvent& raw = e.raw;
  auto cached = process_cache_.find(raw.tgid);
  if (cached != process_cache_.end() && cached->second.generation == procs_.generation() &&
      raw.ts_boot_ns >= cached->second.image_since) {
    e.process = cached->second.info;  // shared, not copied; the name is the record's comm
    return;
  }
  ProcessInfo p;
  // Not cacheable if an earlier image was used. An unknown process is: the
  // table's generation changes when it learns about it.
  uint64_t image_since = 0;
  if (const ProcessEntry* entry = procs_.lookup(raw.tgid)) {
    // The program that made the call, even if the caller exec'd since.
    ProcessImage img = entry->image_at(raw.ts_boot_ns);
    uint64_t last_exec = entry->previous.empty() ? 0 : entry->previous.back().until_boot_ns;
    image_since = raw.ts_boot_ns >= last_exec ? last_exec : UINT64_MAX;
    p.executable = img.executable;
    p.command_line = join_args(img.args);
    p.args = std::move(img.args);
    p.loginuid = entry->loginuid;
    p.sessionid = entry->sessionid;
    if (entry->start_boottime_ns) p.start_realtime_ns = clock_.to_realtime(entry->start_boottime_ns);
  }
  procs_.for_each_ancestor(raw.tgid, kAncestors,
                           [&](const ProcessEntry& a) { p.ancestors.push_back({a.tgid, a.executable, a.name}); });
  e.process = std::move(p);
  if (image_since == UINT64_MAX) return;
  if (process_cache_.size() >= kProcessCacheMax) process_cache_.clear();
  process_cache_[raw.tgid] = CachedProcess{procs_.generation(), image_since, e.process};
}

Event EventBuilder::build(RawEvent&& raw, bool success) {
  Event e;
  build_into(std::move(raw), success, e);
  return e;
}

void EventBuilder::build_into(RawEvent&& raw, bool success, Event& e) {
  e.realtime_ns = clock_.to_realtime(raw.ts_boot_ns);
  e.cgroup_path = cgroups_.path_for(raw.cgroup_id);
  if (containers_ && !e.cgroup_path.empty()) e.container = containers_->resolve(e.cgroup_path);
  e.socket_path = path_of_(raw.watch_id);
  e.tier = tier_name(raw.tier);
  switch (raw.kind) {
    case EventKind::Connect:
      e.action = "connect";
      e.outcome = "success";
      // lsm/fentry report the connect's return value; a nonblocking connect
      // that is still in progress (-EINPROGRESS) did reach the listener.
      if ((raw.flags & SW_F_RESULT_KNOWN) && raw.result < 0 && raw.result != -EINPROGRESS) {
        e.outcome = "failure";
        e.error = errno_name(raw.result);
      }
      break;
    case EventKind::ConnectAttempt:
      e.action = "connect";
      e.outcome = success ? "success" : "failure";
      if (!success) {
        if ((raw.flags & SW_F_RESULT_KNOWN) && raw.result < 0) {
          e.error = errno_name(raw.result);
        } else {
          // socket-tp sees the attempt but not the errno of a refusal.
          e.error = "refused";
          e.flags.push_back("errno-unknown");
        }
      }
      break;
    case EventKind::Send: {
      e.action = "send";
      const bool failed = (raw.flags & SW_F_RESULT_KNOWN) && raw.result < 0;
      e.outcome = failed ? "failure" : "success";
      if (failed) e.error = errno_name(raw.result);
      break;
    }
    case EventKind::Reply:
      e.action = "reply";
      e.outcome = "success";
      break;
  }
  e.raw = std::move(raw);
  fill_process(e);
}

Event EventBuilder::enforcement_gap(uint32_t previous_pid, uint64_t last_alive_realtime_ns, uint64_t realtime_ns) {
  Event e;
  e.action = "enforcement-gap";
  e.outcome = "unknown";
  e.realtime_ns = realtime_ns;
  e.previous_agent_pid = previous_pid;
  e.gap_start_realtime_ns = last_alive_realtime_ns;
  e.message = "the previous sockwarden agent (pid " + std::to_string(previous_pid) +
              ") stopped without a clean exit while enforcing: runtime sockets were not enforced (fail-open) "
              "from its last sign of life until this start";
  return e;
}

Event EventBuilder::agent_gap(uint32_t previous_pid, uint64_t last_alive_realtime_ns, uint64_t realtime_ns) {
  Event e = enforcement_gap(previous_pid, last_alive_realtime_ns, realtime_ns);
  e.action = "agent-gap";
  e.message = "the previous sockwarden agent (pid " + std::to_string(previous_pid) +
              ") stopped without a clean exit: runtime sockets were not monitored from its last sign of life "
              "until this start";
  return e;
}

Event EventBuilder::flood_suppressed(RawEvent&& who, const FloodCounts& counts) {
  Event e;
  e.realtime_ns = clock_.to_realtime(who.ts_boot_ns);
  e.cgroup_path = cgroups_.path_for(who.cgroup_id);
  if (containers_ && !e.cgroup_path.empty()) e.container = containers_->resolve(e.cgroup_path);
  e.tier = tier_name(who.tier);
  e.action = "flood-suppressed";
  e.outcome = "unknown";
  e.flood = counts;
  e.raw = std::move(who);
  fill_process(e);
  return e;
}

Event EventBuilder::lost(uint64_t count, const std::string& cause, uint64_t realtime_ns) {
  Event e;
  e.action = "lost";
  e.outcome = "unknown";
  e.realtime_ns = realtime_ns;
  e.lost = count;
  e.lost_cause = cause;
  e.tier = "";
  return e;
}

}  // namespace sockwarden
