// run's sink: every event serialised once and fanned out to the configured
// outputs (stdout, files, syslog), each behind its own queue; request and audit
// finding events below severity_threshold are skipped; heartbeat events and the Prometheus
// textfile on a timer.
#pragma once
#include <chrono>
#include <memory>
#include <mutex>

#include "agent/agent.h"
#include "agent/config_file.h"
#include "sinks/fanout.h"
#include "sinks/health.h"

namespace sockwarden {

class OutputsSink : public EventSink {
 public:
  // Opens every output (throws UserError if one cannot be opened).
  explicit OutputsSink(const AgentConfig& cfg);
  ~OutputsSink() override;

  void on_start(const std::string& tier) override;
  void on_event(const Event& e) override;
  void on_idle() override { fanout_.wake(); }  // once per capture batch
  void on_tick(const RunStats& stats) override;
  void on_exit(const RunStats& stats) override;
  std::vector<std::pair<std::string, uint64_t>> take_losses() override { return fanout_.take_losses(); }

  // SIGHUP: outputs, heartbeat, severity threshold. Throws UserError (and
  // keeps the running outputs) if a new output cannot be opened.
  void reconfigure(const AgentConfig& cfg);

  HealthSnapshot snapshot(const RunStats& stats);

 private:
  void submit_json(std::string_view json, const std::string& action, int syslog_severity, uint64_t realtime_ns);
  void heartbeat(const RunStats& stats);

  Fanout fanout_;
  HeartbeatConfig heartbeat_;
  int threshold_score_ = 0;
  uint64_t below_threshold_ = 0;
  uint64_t events_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point next_heartbeat_;
};

// RFC 5424 severity for an event: request severities map to crit/err/warning/
// notice, losses and enforcement gaps are warnings, the rest informational.
int syslog_severity_of(const Event& e);

// The outputs a plain `--output FILE` (or "-") stands for.
std::vector<OutputConfig> outputs_for_flag(const std::string& output);

}  // namespace sockwarden
