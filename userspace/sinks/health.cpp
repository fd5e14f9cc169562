#include "sinks/health.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "enrich/boot_clock.h"
#include "format/ecs_json.h"
#include "format/safe_text.h"

namespace sockwarden {

std::string heartbeat_json(const HealthSnapshot& h) {
  using nlohmann::json;
  json lost = json::object();
  uint64_t lost_total = 0;
  for (const auto& [cause, n] : h.lost_by_cause) {
    lost[cause] = n;
    lost_total += n;
  }
  json outputs = json::array();
  for (const auto& o : h.outputs)
    outputs.push_back({{"name", o.name},
                       {"written", o.written},
                       {"queue_depth", o.queue_depth},
                       {"queue_capacity", o.queue_capacity},
                       {"dropped_queue_full", o.dropped_queue_full},
                       {"dropped_write_failed", o.dropped_write_failed},
                       {"dropped_unconfirmed", o.dropped_unconfirmed}});
  json j = {
      {"@timestamp", rfc3339_utc(h.realtime_ns)},
      {"ecs", {{"version", kEcsVersion}}},
      {"event",
       {{"kind", "metric"},
        {"category", json::array({"host"})},
        {"type", json::array({"info"})},
        {"action", "heartbeat"},
        {"outcome", "success"},
        {"module", "sockwarden"},
        {"dataset", "sockwarden.health"}}},
      {"sockwarden",
       {{"heartbeat",
         {{"uptime_sec", static_cast<uint64_t>(h.uptime_sec)},
          {"tier", h.tier},
          {"enforcement", h.enforcement},
          {"events", h.events},
          {"kernel_records", h.kernel_records},
          {"decode_errors", h.decode_errors},
          {"requests", h.requests},
          {"replies_unseen", h.replies_unseen},
          {"below_severity_threshold", h.below_threshold},
          {"flood_suppressed", h.flood_suppressed},
          {"lost_total", lost_total},
          {"lost", lost},
          {"outputs", outputs},
          {"audit",
           {{"runs", h.audit_runs},
            {"errors", h.audit_errors},
            {"findings", h.audit_findings},
            {"events", h.audit_events}}}}}}},
  };
  return safe_dump(j);
}

namespace {

// Prometheus label values: backslash, double quote and newline are escaped.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void metric(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string prometheus_text(const HealthSnapshot& h) {
  std::string o;
  auto num = [](double v) {
    char b[64];
    snprintf(b, sizeof b, "%.17g", v);
    return std::string(b);
  };
  metric(o, "sockwarden_info", "gauge", "Constant 1, labelled with the hook tier and enforcement level.");
  o += "sockwarden_info{tier=\"" + label(h.tier) + "\",enforcement=\"" + label(h.enforcement) + "\"} 1\n";
  metric(o, "sockwarden_uptime_seconds", "gauge", "Seconds since the agent started capturing.");
  o += "sockwarden_uptime_seconds " + num(h.uptime_sec) + "\n";
  metric(o, "sockwarden_last_heartbeat_timestamp_seconds", "gauge", "Unix time this file was written.");
  o += "sockwarden_last_heartbeat_timestamp_seconds " + num(static_cast<double>(h.realtime_ns / 1000000) / 1000.0) + "\n";
  metric(o, "sockwarden_events_total", "counter", "Events handed to the outputs.");
  o += "sockwarden_events_total " + std::to_string(h.events) + "\n";
  metric(o, "sockwarden_kernel_records_total", "counter", "Records read from the kernel ring buffer.");
  o += "sockwarden_kernel_records_total " + std::to_string(h.kernel_records) + "\n";
  metric(o, "sockwarden_decode_errors_total", "counter", "Kernel records that could not be decoded.");
  o += "sockwarden_decode_errors_total " + std::to_string(h.decode_errors) + "\n";
  metric(o, "sockwarden_replies_unseen_total", "counter",
         "Decoded requests released without the daemon's reply status (not answered in time, or reply not captured).");
  o += "sockwarden_replies_unseen_total " + std::to_string(h.replies_unseen) + "\n";
  metric(o, "sockwarden_requests_total", "counter", "Decoded HTTP/gRPC requests.");
  o += "sockwarden_requests_total " + std::to_string(h.requests) + "\n";
  metric(o, "sockwarden_below_severity_threshold_total", "counter",
         "Request events not emitted because of severity_threshold.");
  o += "sockwarden_below_severity_threshold_total " + std::to_string(h.below_threshold) + "\n";
  metric(o, "sockwarden_flood_suppressed_total", "counter",
         "Records held back by the per-process flood budget (summarised in flood-suppressed events).");
  o += "sockwarden_flood_suppressed_total " + std::to_string(h.flood_suppressed) + "\n";
  metric(o, "sockwarden_audit_runs_total", "counter", "Continuous audit evaluations finished.");
  o += "sockwarden_audit_runs_total " + std::to_string(h.audit_runs) + "\n";
  metric(o, "sockwarden_audit_errors_total", "counter", "Continuous audit evaluations that failed.");
  o += "sockwarden_audit_errors_total " + std::to_string(h.audit_errors) + "\n";
  metric(o, "sockwarden_audit_findings", "gauge", "Audit findings open after the last evaluation.");
  o += "sockwarden_audit_findings " + std::to_string(h.audit_findings) + "\n";
  metric(o, "sockwarden_audit_events_total", "counter", "audit-finding and audit-finding-resolved events.");
  o += "sockwarden_audit_events_total " + std::to_string(h.audit_events) + "\n";
  metric(o, "sockwarden_lost_total", "counter", "Records or events lost, by cause (as in the lost events).");
  for (const auto& [cause, n] : h.lost_by_cause)
    o += "sockwarden_lost_total{cause=\"" + label(cause) + "\"} " + std::to_string(n) + "\n";
  metric(o, "sockwarden_output_written_total", "counter", "Events written, per output.");
  for (const auto& c : h.outputs)
    o += "sockwarden_output_written_total{output=\"" + label(c.name) + "\"} " + std::to_string(c.written) + "\n";
  metric(o, "sockwarden_output_dropped_total", "counter", "Events an output dropped, per output and reason.");
  for (const auto& c : h.outputs) {
    o += "sockwarden_output_dropped_total{output=\"" + label(c.name) + "\",reason=\"queue-full\"} " +
         std::to_string(c.dropped_queue_full) + "\n";
    o += "sockwarden_output_dropped_total{output=\"" + label(c.name) + "\",reason=\"write-failed\"} " +
         std::to_string(c.dropped_write_failed) + "\n";
    o += "sockwarden_output_dropped_total{output=\"" + label(c.name) + "\",reason=\"unconfirmed\"} " +
         std::to_string(c.dropped_unconfirmed) + "\n";
  }
  metric(o, "sockwarden_output_queue_depth", "gauge", "Events waiting in an output's queue.");
  for (const auto& c : h.outputs)
    o += "sockwarden_output_queue_depth{output=\"" + label(c.name) + "\"} " + std::to_string(c.queue_depth) + "\n";
  metric(o, "sockwarden_output_queue_capacity", "gauge", "Size of an output's queue.");
  for (const auto& c : h.outputs)
    o += "sockwarden_output_queue_capacity{output=\"" + label(c.name) + "\"} " + std::to_string(c.queue_capacity) +
         "\n";
  return o;
}

}  // namespace sockwarden
