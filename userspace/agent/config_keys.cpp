#include "agent/config_keys.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "capture/bpf_tier.h"
#include "decode/severity.h"

namespace sockwarden {

std::string format_number(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    std::ostringstream s;
    s << static_cast<long long>(d);
    return s.str();
  }
  std::ostringstream s;
  s.precision(15);
  s << d;
  return s.str();
}

const std::vector<IntSpec>& int_specs() {
  static const std::vector<IntSpec> all = {
      spec::kPayloadCap,    spec::kRingbufKb,     spec::kRequestBudget, spec::kDecoderBudgetMb,
      spec::kFloodSendRate, spec::kFloodConnectRate, spec::kHeartbeat,  spec::kAuditInterval,
      spec::kQueueSize,     spec::kMaxFiles,      spec::kFsyncIntervalMs,
  };
  return all;
}

std::string expected_text(const IntSpec& s) {
  return std::string("expected ") + (s.power_of_two ? "a power of two" : "a whole number") + " from " +
         std::to_string(s.min) + " to " + std::to_string(s.max);
}

std::string expected_text(const DecimalSpec& s) {
  if (!s.has_max) return "expected a number >= " + format_number(s.min);
  return "expected a number from " + format_number(s.min) + " to " + format_number(s.max);
}

std::string value_error(const IntSpec& s, uint64_t v) {
  if (v < s.min || v > s.max)
    return std::to_string(v) + " is out of range, expected " + std::to_string(s.min) + " to " + std::to_string(s.max);
  if (s.power_of_two && (v & (v - 1)) != 0)
    return std::to_string(v) + " is not a power of two, expected e.g. 4096 or 8192";
  return "";
}

std::string value_error(const DecimalSpec& s, double v) {
  // !(v >= min) also rejects NaN.
  if (!(v >= s.min) || (s.has_max && v > s.max) || !std::isfinite(v))
    return format_number(v) + " is out of range, " + expected_text(s);
  return "";
}

bool parse_whole(const std::string& text, uint64_t* out) {
  // 19 digits always fit in 64 bits; longer is out of every range anyway.
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::strtoull(text.c_str(), nullptr, 10);
  return true;
}

bool parse_decimal(const std::string& text, double* out) {
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos) return false;
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(d)) return false;
  *out = d;
  return true;
}

std::vector<std::string> tier_names() {
  std::vector<std::string> names = {"auto"};
  for (const auto& t : tier_table()) names.emplace_back(t.name);
  return names;
}

std::vector<std::string> severity_threshold_names() {
  std::vector<std::string> names;
  for (Severity s : {Severity::None, Severity::Low, Severity::Medium, Severity::High, Severity::Critical})
    names.emplace_back(severity_name(s));
  return names;
}

std::string header_name_error(const std::string& h) {
  if (h.empty() || h.find_first_of(" :\t\r\n") != std::string::npos) return "'" + h + "' is not an HTTP header name";
  return "";
}

std::string prometheus_file_error(const std::string& path) {
  if (path.empty() || path[0] != '/')
    return "expected an absolute path (e.g. /var/lib/node_exporter/textfile_collector/sockwarden.prom)";
  return "";
}

const std::vector<ConfigKey>& config_keys() {
  // Order: the order the parser lists them in "expected one of ...".
  static const std::vector<ConfigKey> keys = {
      {"sockets", {"socket"}},
      {"no_default_sockets", {"no-default-sockets"}},
      {"tier", {"tier"}},
      {"payload_cap", {"payload-cap"}},
      {"ringbuf_kb", {"ringbuf-kb"}},
      {"request_budget", {"request-budget"}},
      {"decoder_budget_mb", {"decoder-budget-mb"}},
      {"expected_callers", {"expected-callers", "expect"}},
      {"default_rules", {"no-default-rules"}},
      {"enforce.mode", {"enforce"}},
      {"enforce.deny_host_callers", {"deny-host-callers"}},
      {"state_dir", {"state-dir"}},
      {"docker_data_root", {"docker-data-root"}},
      {"containerd_state", {"containerd-state"}},
      {"containers_storage", {"containers-storage"}},
      {"containers_runroot", {"containers-runroot"}},
      {"outputs", {"output"}},
      {"heartbeat.interval_sec", {"heartbeat"}},
      {"heartbeat.prometheus_file", {"prometheus-file"}},
      {"severity_threshold", {"severity-threshold"}},
      {"redaction.extra_headers", {"redact-header"}},
      {"audit.enabled", {"no-audit"}},
      {"audit.interval_sec", {"audit-interval"}},
      {"host_root", {"host-root"}},
      {"flood_send_rate", {"flood-send-rate"}},
      {"flood_connect_rate", {"flood-connect-rate"}},
      {"duration_sec", {"duration"}},
      {"host_cgroup2", {"host-cgroup2"}},
  };
  return keys;
}

std::vector<std::string> top_level_keys() {
  std::vector<std::string> out;
  for (const auto& k : config_keys()) {
    std::string top = k.key.substr(0, k.key.find('.'));
    bool seen = false;
    for (const auto& o : out) seen = seen || o == top;
    if (!seen) out.push_back(top);
  }
  return out;
}

std::vector<std::string> sub_keys(const std::string& parent) {
  std::vector<std::string> out;
  for (const auto& k : config_keys())
    if (k.key.size() > parent.size() + 1 && k.key.compare(0, parent.size() + 1, parent + ".") == 0)
      out.push_back(k.key.substr(parent.size() + 1));
  return out;
}

const std::vector<OptionWithoutKey>& run_options_without_key() {
  static const std::vector<OptionWithoutKey> list = {
      {"help", "prints the usage and exits; nothing to configure"},
      {"config", "names the config file itself; a file cannot point at another config file"},
      {"check-config", "a one-off action (validate and exit), not a setting of the running agent"},
      {"pid", "process IDs are only meaningful for the processes running now: a stored PID would select an "
              "unrelated process after a restart or PID reuse"},
  };
  return list;
}

}  // namespace sockwarden
