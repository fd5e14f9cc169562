// Where the pipeline hands its events (trace's table or JSON lines, run's
// outputs), and the run's totals the sinks report.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "capture/capture.h"
#include "model/event.h"

namespace sockwarden {

struct RunStats {
  std::string tier;
  std::string enforcement = "monitor";  // "monitor", "full" or "path-only"
  KernelCounters kernel;
  uint64_t emitted = 0;  // events handed to the sink
  uint64_t lost = 0;     // total of every loss record
  std::map<std::string, uint64_t> lost_by_cause;
  uint64_t requests = 0;             // decoded request events produced
  uint64_t evicted_connections = 0;  // decoder state dropped by its LRU cap
  uint64_t expired_connections = 0;  // decoder state dropped after idling
  uint64_t replies_unseen = 0;       // requests released without their reply's status
  // Continuous audit (run): evaluations, failed evaluations, open findings,
  // audit-finding(-resolved) events.
  uint64_t audit_runs = 0, audit_errors = 0, audit_findings = 0, audit_events = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_start(const std::string& tier) { (void)tier; }
  virtual void on_event(const Event& e) = 0;
  virtual void on_exit(const RunStats& stats) { (void)stats; }
  // About twice a second from the capture loop (heartbeat, output health).
  virtual void on_tick(const RunStats& stats) { (void)stats; }
  // After every pass of the capture loop (at least every 100 ms): trace's
  // table releases the rows whose reorder hold ended. Must be cheap.
  virtual void on_idle() {}
  // Events the sink itself dropped since the last call, per loss cause
  // ("output-queue-full:NAME"): the agent reports them as loss events.
  virtual std::vector<std::pair<std::string, uint64_t>> take_losses() { return {}; }
};

}  // namespace sockwarden
