// The agent's health: a heartbeat event (event.action heartbeat, event.kind
// metric) and the same counters in Prometheus text format for node_exporter's
// textfile collector.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sinks/atomic_file.h"  // write_file_atomically, for the textfile
#include "sinks/output_worker.h"

namespace sockwarden {

struct HealthSnapshot {
  uint64_t realtime_ns = 0;
  double uptime_sec = 0;
  std::string tier;
  std::string enforcement;
  uint64_t events = 0;          // events handed to the outputs
  uint64_t kernel_records = 0;  // records read from the ring buffer
  uint64_t decode_errors = 0;   // ring-buffer records that failed to decode
  uint64_t requests = 0;        // decoded requests
  uint64_t replies_unseen = 0;  // of those, released without the daemon's reply status
  uint64_t below_threshold = 0;  // request events under severity_threshold, not emitted
  uint64_t flood_suppressed = 0; // records the per-process flood budget held back (summarised, not lost)
  std::map<std::string, uint64_t> lost_by_cause;
  std::vector<OutputCounters> outputs;
  // Continuous audit (all 0 when it is off).
  uint64_t audit_runs = 0;      // evaluations finished
  uint64_t audit_errors = 0;    // evaluations that failed
  uint64_t audit_findings = 0;  // findings open now
  uint64_t audit_events = 0;    // audit-finding(-resolved) events produced
};

// One JSON line (no newline).
std::string heartbeat_json(const HealthSnapshot& h);

// sockwarden_* metrics, "# HELP"/"# TYPE" included.
std::string prometheus_text(const HealthSnapshot& h);

}  // namespace sockwarden
