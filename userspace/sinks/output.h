// One destination of the agent's JSON lines (stdout, a file, syslog), and the
// record every destination receives: the event serialised once, shared.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sinks/line_text.h"

namespace sockwarden {

struct OutputRecord {
  LineText json;                            // one line, no newline; shared by every output
  std::string action;                       // event.action: syslog's MSGID
  int syslog_severity = 6;                  // RFC 5424 severity (6 = informational)
  uint64_t realtime_ns = 0;
};

// Runs on its output's own writer thread only.
class Output {
 public:
  virtual ~Output() = default;
  // false = this record was not written (the caller counts it as dropped).
  virtual bool write(const OutputRecord& r) = 0;
  // Every record queued meanwhile, in order; returns how many were written
  // (the rest count as dropped). Outputs that can, write them with one
  // syscall: at 100k events/s a write(2) per line is most of the writer's CPU.
  virtual size_t write_batch(const std::vector<OutputRecord>& rs) {
    size_t ok = 0;
    for (const auto& r : rs) ok += write(r) ? 1 : 0;
    return ok;
  }
  // Called when the queue is idle and about every 100 ms: interval fsync,
  // retries, noticing a removed log file.
  virtual void idle() {}
  // Before the writer thread exits.
  virtual void close() {}
  // Messages written earlier (counted as written) that the destination may have discarded
  // unread since the last call: a syslog receiver that exited with datagrams still queued.
  virtual uint64_t take_unconfirmed() { return 0; }
};

}  // namespace sockwarden
