#include "agent/outputs_sink.h"

#include <spdlog/spdlog.h>

#include "agent/wall_clock.h"
#include "capture/errors.h"
#include "format/ecs_json.h"

namespace sockwarden {

int syslog_severity_of(const Event& e) {
  if (e.action == "enforcement-gap"sv) return 2;
  if (e.action == "lost"sv) return 4;
  if (e.action == "request"sv || e.action == "audit-finding"sv) {
    if (e.severity == "critical") return 2;
    if (e.severity == "high") return 3;
    if (e.severity == "medium") return 4;
    if (e.severity == "low") return 5;
  }
  return 6;
}

std::vector<OutputConfig> outputs_for_flag(const std::string& output) {
  OutputConfig c;
  if (output.empty() || output == "-") {
    c.name = "stdout";
    return {c};
  }
  c.type = OutputConfig::Type::File;
  c.path = c.name = output;
  return {c};
}

static std::vector<OutputConfig> or_stdout(const std::vector<OutputConfig>& outputs) {
  return outputs.empty() ? outputs_for_flag("-") : outputs;
}

OutputsSink::OutputsSink(const AgentConfig& cfg)
    : fanout_(or_stdout(cfg.outputs)),
      heartbeat_(cfg.heartbeat),
      threshold_score_(std::max(0, severity_threshold_score(cfg.severity_threshold))) {}

OutputsSink::~OutputsSink() { fanout_.stop(); }

void OutputsSink::reconfigure(const AgentConfig& cfg) {
  fanout_.reconfigure(or_stdout(cfg.outputs));
  if (cfg.heartbeat.interval_sec != heartbeat_.interval_sec) next_heartbeat_ = std::chrono::steady_clock::now();
  heartbeat_ = cfg.heartbeat;
  threshold_score_ = std::max(0, severity_threshold_score(cfg.severity_threshold));
  spdlog::info("outputs: {} active, heartbeat every {}s, severity threshold {}", or_stdout(cfg.outputs).size(),
               heartbeat_.interval_sec, cfg.severity_threshold);
}

void OutputsSink::on_start(const std::string&) {
  start_ = std::chrono::steady_clock::now();
  next_heartbeat_ = start_ + std::chrono::seconds(heartbeat_.interval_sec);
}

void OutputsSink::submit_json(std::string_view json, const std::string& action, int syslog_severity,
                              uint64_t realtime_ns) {
  OutputRecord r;
  r.json = LineText::copy_of(json);
  r.action = action;
  r.syslog_severity = syslog_severity;
  r.realtime_ns = realtime_ns;
  fanout_.submit(std::move(r));
}

void OutputsSink::on_event(const Event& e) {
  // Audit findings pass the same threshold (a resolved one too, so that a
  // SIEM never sees a resolution of a finding it was not sent).
  bool scored = e.action == "request"sv || e.action == "audit-finding"sv || e.action == "audit-finding-resolved"sv;
  if (scored && e.severity_score < threshold_score_) {
    below_threshold_++;
    return;
  }
  events_++;
  submit_json(render_json_line(e), e.action, syslog_severity_of(e), e.realtime_ns ? e.realtime_ns : now_realtime_ns());
}

HealthSnapshot OutputsSink::snapshot(const RunStats& stats) {
  HealthSnapshot h;
  h.realtime_ns = now_realtime_ns();
  h.uptime_sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  h.tier = stats.tier;
  h.enforcement = stats.enforcement;
  h.events = events_;
  h.kernel_records = stats.kernel.events;
  h.decode_errors = stats.kernel.decode_errors;
  h.requests = stats.requests;
  h.replies_unseen = stats.replies_unseen;
  h.below_threshold = below_threshold_;
  h.flood_suppressed = stats.kernel.flood_suppressed;
  h.lost_by_cause = stats.lost_by_cause;
  h.outputs = fanout_.counters();
  h.audit_runs = stats.audit_runs;
  h.audit_errors = stats.audit_errors;
  h.audit_findings = stats.audit_findings;
  h.audit_events = stats.audit_events;
  return h;
}

void OutputsSink::heartbeat(const RunStats& stats) {
  HealthSnapshot h = snapshot(stats);
  if (heartbeat_.interval_sec > 0) submit_json(heartbeat_json(h), "heartbeat", 6, h.realtime_ns);
  if (!heartbeat_.prometheus_file.empty()) {
    if (int err = write_file_atomically(heartbeat_.prometheus_file, prometheus_text(h)))
      spdlog::warn("{}", errno_text("writing " + heartbeat_.prometheus_file, err));
  }
}

void OutputsSink::on_tick(const RunStats& stats) {
  auto now = std::chrono::steady_clock::now();
  if (now < next_heartbeat_) return;
  // Without heartbeat events the textfile still refreshes every 15 s.
  uint32_t every = heartbeat_.interval_sec ? heartbeat_.interval_sec : 15;
  next_heartbeat_ = now + std::chrono::seconds(every);
  if (heartbeat_.interval_sec == 0 && heartbeat_.prometheus_file.empty()) return;
  heartbeat(stats);
}

void OutputsSink::on_exit(const RunStats& stats) {
  if (!heartbeat_.prometheus_file.empty()) heartbeat(stats);  // final counters
  fanout_.stop();
  for (const auto& c : fanout_.counters())
    if (c.dropped_queue_full || c.dropped_write_failed || c.dropped_unconfirmed)
      spdlog::error("output {}: {} events dropped (queue full), {} not written, {} possibly discarded unread by "
                    "the receiver",
                    c.name, c.dropped_queue_full, c.dropped_write_failed, c.dropped_unconfirmed);
  spdlog::info("exiting: {} events, {} lost, tier {}", stats.emitted, stats.lost, stats.tier);
}

}  // namespace sockwarden
