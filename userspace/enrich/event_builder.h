// RawEvent -> Event: wall-clock time, process identity, cgroup path, the
// watched socket's path, tier name and outcome.
#pragma once
#include <functional>
#include <string>
#include <unordered_map>

#include "capture/raw_event.h"
#include "enrich/boot_clock.h"
#include "enrich/cgroup_resolver.h"
#include "enrich/container_resolver.h"
#include "enrich/process_table.h"
#include "model/event.h"

namespace sockwarden {

class EventBuilder {
 public:
  using PathOf = std::function<std::string(uint32_t watch_id)>;
  EventBuilder(ProcessTable& procs, CgroupResolver& cgroups, const BootClock& clock, PathOf path_of)
      : procs_(procs), cgroups_(cgroups), clock_(clock), path_of_(std::move(path_of)) {}

  // Containers are resolved from the cgroup path when a resolver is set.
  void set_container_resolver(ContainerResolver* r) { containers_ = r; }

  // success: for connect records, whether the connect reached the listener.
  Event build(RawEvent&& raw, bool success = true);
  // The same into `e`, a default-constructed Event: the capture loop builds each event in
  // its reused vector's slot (issue 18: the move out of a returned Event and the destruction
  // of the moved-from one were ~700 instructions per event on a flood).
  void build_into(RawEvent&& raw, bool success, Event& e);

  // A flood summary: what the per-process flood budget held back from 'who'
  // (identity as the kernel recorded it) over a window.
  Event flood_suppressed(RawEvent&& who, const FloodCounts& counts);

  // A loss record: 'count' records or bytes lost for 'cause'.
  Event lost(uint64_t count, const std::string& cause, uint64_t realtime_ns);
  // At start with --enforce: the previous enforcing agent died without a clean
  // exit, so connects were not enforced from last_alive until now.
  static Event enforcement_gap(uint32_t previous_pid, uint64_t last_alive_realtime_ns, uint64_t realtime_ns);
  // At start of `run` in monitor mode: the previous agent died without an
  // agent-stop (kill -9, OOM, crash), so nothing was captured in between.
  static Event agent_gap(uint32_t previous_pid, uint64_t last_alive_realtime_ns, uint64_t realtime_ns);

 private:
  void fill_process(Event& e);
  // What fill_process derived for a process (everything but the per-thread
  // comm, which the event's record carries), shared with every event while the
  // process table is unchanged and the event is not older than the process's
  // last exec: a busy caller costs one hash lookup and a pointer copy per event
  // instead of a walk over its ancestors and copies of its strings.
  struct CachedProcess {
    uint64_t generation = 0;
    uint64_t image_since = 0;  // boot ns of the exec that started the current image
    ProcessRef info;           // shared with the events built from it
  };
  std::unordered_map<uint32_t, CachedProcess> process_cache_;
  ProcessTable& procs_;
  CgroupResolver& cgroups_;
  const BootClock& clock_;
  PathOf path_of_;
  ContainerResolver* containers_ = nullptr;
};

// "EACCES" for 13, "errno 200" for unknown values.
std::string errno_name(int err);
const char* tier_name(uint16_t tier);

}  // namespace sockwarden
