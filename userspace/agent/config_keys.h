// The one list of agent config keys, the `run` options that set them, and
// the value ranges both sides check. agent/config_file.cpp parses exactly these
// keys; commands/run_cli.cpp gives the options these ranges; agent/agent.cpp validates the
// merged options against them. tests/unit/test_config_surface.cpp walks the
// real `run` command's options against this list and docs/configuration.md,
// so an option without a key (or a key without an option) fails a test.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "events.h"

namespace sockwarden {

// A whole-number value: the same bounds for the config key and its option.
struct IntSpec {
  const char* key;     // config key, dotted inside a mapping ("heartbeat.interval_sec")
  const char* option;  // "--heartbeat"; nullptr for keys with no option (output entry fields)
  uint64_t min;
  uint64_t max;
  bool power_of_two = false;
};

// A decimal value (seconds, MiB); no upper bound when has_max is false.
struct DecimalSpec {
  const char* key;
  const char* option;
  double min;
  double max;
  bool has_max = true;
};

namespace spec {
inline constexpr IntSpec kPayloadCap{"payload_cap", "--payload-cap", 0, SW_PAYLOAD_MAX};
inline constexpr IntSpec kRingbufKb{"ringbuf_kb", "--ringbuf-kb", 4, 1u << 20, /*power_of_two=*/true};
inline constexpr IntSpec kRequestBudget{"request_budget", "--request-budget", 1024, 16u << 20};
inline constexpr IntSpec kDecoderBudgetMb{"decoder_budget_mb", "--decoder-budget-mb", 4, 16384};
inline constexpr IntSpec kFloodSendRate{"flood_send_rate", "--flood-send-rate", 0, 1000000};
inline constexpr IntSpec kFloodConnectRate{"flood_connect_rate", "--flood-connect-rate", 0, 1000000};
inline constexpr IntSpec kHeartbeat{"heartbeat.interval_sec", "--heartbeat", 0, 86400};
inline constexpr IntSpec kAuditInterval{"audit.interval_sec", "--audit-interval", 0, 604800};
inline constexpr DecimalSpec kDuration{"duration_sec", "--duration", 0, 0, /*has_max=*/false};
// Fields of an `outputs` entry (no option: --output FILE is one whole entry).
inline constexpr IntSpec kQueueSize{"queue_size", nullptr, 1, 1000000};
inline constexpr IntSpec kMaxFiles{"max_files", nullptr, 0, 1000};
inline constexpr IntSpec kFsyncIntervalMs{"fsync_interval_ms", nullptr, 1, 3600000};
inline constexpr DecimalSpec kMaxSizeMb{"max_size_mb", nullptr, 0, 1024 * 1024};
}  // namespace spec

// Every IntSpec above, for tests that check the CLI and the file agree.
const std::vector<IntSpec>& int_specs();

// "expected a whole number from 4 to 1048576" (and "a power of two").
std::string expected_text(const IntSpec& s);
// "expected a number from 0 to 1048576" / "expected a number >= 0".
std::string expected_text(const DecimalSpec& s);
// Why `value` is not allowed ("99999 is out of range, expected 0 to 16384",
// "5000 is not a power of two, expected e.g. 4096 or 8192"), "" if it is.
std::string value_error(const IntSpec& s, uint64_t value);
std::string value_error(const DecimalSpec& s, double value);
// Parses a whole decimal number (digits only, no sign, no spaces); false if it is not one.
bool parse_whole(const std::string& text, uint64_t* out);
// Parses a finite decimal ("0.5", "3", "1e3"); false if it is not one.
bool parse_decimal(const std::string& text, double* out);
// Integers print as integers (1048576), other numbers shortest (0.5).
std::string format_number(double d);

// Choices shared by the option and its key.
std::vector<std::string> tier_names();                // auto, lsm, fentry, socket-tp, syscall-tp
std::vector<std::string> severity_threshold_names();  // none, low, medium, high, critical
// "" or why `name` cannot be a header name in redaction.extra_headers / --redact-header.
std::string header_name_error(const std::string& name);
// "" or why `path` cannot be heartbeat.prometheus_file / --prometheus-file.
std::string prometheus_file_error(const std::string& path);

// One config key and the `run` options (long names without dashes) that set
// it. Dotted keys live in a mapping ("enforce.mode" is `enforce: {mode: ...}`).
struct ConfigKey {
  std::string key;
  std::vector<std::string> options;
};
const std::vector<ConfigKey>& config_keys();
// The keys at the top of the file, in table order ("heartbeat", not "heartbeat.interval_sec").
std::vector<std::string> top_level_keys();
// The keys of the mapping under `parent` ("heartbeat" -> interval_sec, prometheus_file).
std::vector<std::string> sub_keys(const std::string& parent);

// `run` options that cannot be config keys by their nature, each with why.
struct OptionWithoutKey {
  std::string option;  // long name without dashes
  std::string reason;
};
const std::vector<OptionWithoutKey>& run_options_without_key();

}  // namespace sockwarden
