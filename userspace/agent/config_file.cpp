#include "agent/config_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "capture/bpf_tier.h"
#include "capture/errors.h"
#include "capture/watch_list.h"
#include "agent/config_keys.h"
#include "decode/severity.h"
#include "events.h"
#include "model/yaml_words.h"
#include "sinks/syslog_output.h"

namespace sockwarden {
namespace {

constexpr const char* kHint = "docs/configuration.md lists every key, its range and option; packaging/config.yaml is an example";

// One mistake in the file, at a 1-based line.
struct Mistake {
  int line;
  std::string text;  // "FILE:LINE: what was wrong, expected ..."
};

// The file being parsed: every error names FILE:LINE. Errors are collected,
// not thrown, so --check-config reports every mistake in one run: a bad value
// abandons only that value (Abandon), and the walk goes on with the next key.
struct Parser {
  std::string path;
  std::vector<Mistake>* mistakes;

  struct Abandon {};  // the value in hand is bad; its mistake is recorded

  static int line_of(const YAML::Node& at) { return yaml_line(at.Mark()); }

  void note(const YAML::Node& at, const std::string& what) const { note_line(line_of(at), what); }
  void note_line(int line, const std::string& what) const {
    mistakes->push_back({line, path + ":" + std::to_string(line) + ": " + what});
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    note(at, what);
    throw Abandon{};
  }

  // Runs f; a value it abandons is already recorded.
  template <class F>
  void attempt(F&& f) const {
    try {
      f();
    } catch (const Abandon&) {
    }
  }

  static std::string found(const YAML::Node& v) {
    return v.IsScalar() ? "'" + v.Scalar() + "'" : std::string(yaml_type_name(v));
  }

  std::string str(const YAML::Node& v, const std::string& key) const {
    if (!v.IsScalar()) fail(v, key + ": expected a string, found " + yaml_type_name(v));
    return v.Scalar();
  }

  bool boolean(const YAML::Node& v, const std::string& key) const {
    std::string s = v.IsScalar() ? v.Scalar() : "";
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(v, key + ": expected true or false, found " + found(v));
  }

  uint64_t number(const YAML::Node& v, const IntSpec& spec) const {
    uint64_t n = 0;
    if (!v.IsScalar() || !parse_whole(v.Scalar(), &n))
      fail(v, std::string(spec.key) + ": " + expected_text(spec) + ", found " + found(v));
    auto why = value_error(spec, n);
    if (!why.empty()) fail(v, std::string(spec.key) + ": " + why);
    return n;
  }

  double decimal(const YAML::Node& v, const DecimalSpec& spec) const {
    double d = 0;
    if (!v.IsScalar() || !parse_decimal(v.Scalar(), &d))
      fail(v, std::string(spec.key) + ": " + expected_text(spec) + ", found " + found(v));
    auto why = value_error(spec, d);
    if (!why.empty()) fail(v, std::string(spec.key) + ": " + why);
    return d;
  }

  std::vector<std::string> strings(const YAML::Node& v, const std::string& key) const {
    if (!v.IsSequence()) fail(v, key + ": expected a list of strings, found " + yaml_type_name(v));
    std::vector<std::string> out;
    for (const auto& item : v) out.push_back(str(item, key + " entry"));
    return out;
  }

  std::string choice(const YAML::Node& v, const std::string& key, const std::vector<std::string>& allowed) const {
    std::string s = str(v, key);
    std::string list;
    for (const auto& a : allowed) {
      if (s == a) return s;
      list += (list.empty() ? "" : ", ") + a;
    }
    fail(v, key + ": '" + s + "' is not valid, expected one of " + list);
  }

  // Iterates a mapping: unknown, repeated and empty keys are recorded and
  // skipped; a bad value abandons only its own key.
  template <class F>
  void each(const YAML::Node& map, const std::string& what, const std::vector<std::string>& known, F&& f) const {
    if (!map.IsMap()) fail(map, what + ": expected a mapping, found " + yaml_type_name(map));
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      std::string name = key.IsScalar() ? key.Scalar() : "";
      bool ok = false;
      for (const auto& k : known) ok = ok || k == name;
      if (!ok) {
        note(key, "unknown key '" + name + "' in " + what + ", expected one of " + list);
        continue;
      }
      if (!seen.insert(name).second) {
        note(key, "key '" + name + "' appears twice in " + what);
        continue;
      }
      if (value.IsNull()) {
        note(key, name + ": has no value");
        continue;
      }
      attempt([&] { f(name, key, value); });
    }
  }
};

// One `outputs` entry. Every mistake in it is recorded; the entry is
// abandoned (Abandon) if it had any.
OutputConfig parse_output(const Parser& p, const YAML::Node& entry) {
  if (!entry.IsMap()) p.fail(entry, std::string("outputs entry: expected a mapping with a type, found ") + yaml_type_name(entry));
  if (!entry["type"]) p.fail(entry, "outputs entry: missing type, expected stdout, file or syslog");
  const size_t before = p.mistakes->size();
  OutputConfig c;
  std::string type = p.choice(entry["type"], "type", {"stdout", "file", "syslog"});
  std::vector<std::string> known = {"type", "name", "queue_size"};
  if (type == "file") {
    c.type = OutputConfig::Type::File;
    known.insert(known.end(), {"path", "max_size_mb", "max_files", "fsync", "fsync_interval_ms"});
  } else if (type == "syslog") {
    c.type = OutputConfig::Type::Syslog;
    known.insert(known.end(), {"path", "facility", "app_name"});
  }
  std::string what = "a " + type + " output";
  p.each(entry, what, known, [&](const std::string& k, const YAML::Node&, const YAML::Node& v) {
    if (k == "name") c.name = p.str(v, k);
    else if (k == "queue_size") c.queue_size = p.number(v, spec::kQueueSize);
    else if (k == "path" && c.type == OutputConfig::Type::File) {
      c.path = p.str(v, k);
      if (c.path.empty() || c.path[0] != '/') p.fail(v, "path: expected an absolute file path, found '" + c.path + "'");
    } else if (k == "path") {
      c.socket_path = p.str(v, k);
      if (c.socket_path.empty() || c.socket_path[0] != '/' || c.socket_path.size() >= 108)
        p.fail(v, "path: expected the absolute path of a unix datagram socket (shorter than 108 bytes), found '" +
                      c.socket_path + "'");
    } else if (k == "max_size_mb") c.max_size_bytes = static_cast<uint64_t>(p.decimal(v, spec::kMaxSizeMb) * 1048576.0);
    else if (k == "max_files") c.max_files = static_cast<uint32_t>(p.number(v, spec::kMaxFiles));
    else if (k == "fsync") {
      std::string m = p.choice(v, k, {"never", "every_event", "interval"});
      c.fsync = m == "never" ? FsyncMode::Never : m == "every_event" ? FsyncMode::EveryEvent : FsyncMode::Interval;
    } else if (k == "fsync_interval_ms") c.fsync_interval_ms = static_cast<uint32_t>(p.number(v, spec::kFsyncIntervalMs));
    else if (k == "facility") {
      std::string f = p.str(v, k);
      c.facility = syslog_facility_code(f);
      if (c.facility < 0)
        p.fail(v, "facility: '" + f + "' is not a syslog facility, expected e.g. daemon, user, auth, local0..local7");
    } else if (k == "app_name") {
      c.app_name = p.str(v, k);
      if (c.app_name.empty() || c.app_name.size() > 48 || c.app_name.find_first_of(" \t\n") != std::string::npos)
        p.fail(v, "app_name: expected 1 to 48 printable characters without spaces");
    }
  });
  if (c.type == OutputConfig::Type::File && c.path.empty() && !entry["path"]) p.fail(entry, "a file output needs a path");
  if (p.mistakes->size() != before) throw Parser::Abandon{};
  if (c.name.empty())
    c.name = c.type == OutputConfig::Type::File ? c.path : c.type == OutputConfig::Type::Syslog ? "syslog" : "stdout";
  return c;
}

// expected_callers given inline: each entry is checked on its own so that
// every bad entry is reported, not only the first.
std::vector<ExpectedCaller> parse_expected_callers(const Parser& p, const YAML::Node& list) {
  if (!list.IsSequence()) {
    try {
      CallerPolicy().load_yaml_list(p.path, list);  // throws its "expected a list" error
    } catch (const UserError& e) {
      p.mistakes->push_back({Parser::line_of(list), e.what()});
    }
    throw Parser::Abandon{};
  }
  std::vector<ExpectedCaller> rules;
  bool bad = false;
  for (const auto& entry : list) {
    YAML::Node one(YAML::NodeType::Sequence);
    one.push_back(entry);
    try {
      CallerPolicy policy;
      policy.load_yaml_list(p.path, one);
      for (const auto& r : policy.rules()) rules.push_back(r);
    } catch (const UserError& e) {
      // Already "FILE:LINE: ..." (CallerPolicy names the same file).
      p.mistakes->push_back({Parser::line_of(entry), e.what()});
      bad = true;
    }
  }
  if (bad) throw Parser::Abandon{};
  return rules;
}

// The whole file, every mistake recorded in p.mistakes.
void parse_root(const Parser& p, const YAML::Node& root, AgentConfig& cfg) {
  AgentOptions& a = cfg.agent;
  bool sockets_bad = false;  // no second mistake about an empty list for a bad sockets value
  p.each(root, "the config file", top_level_keys(),
         [&](const std::string& k, const YAML::Node&, const YAML::Node& v) {
           if (k == "sockets") {
             sockets_bad = true;
             a.sockets = p.strings(v, k);
             size_t i = 0;
             bool bad = false;
             for (const auto& item : v) {
               const std::string& spec = a.sockets[i++];
               auto err = WatchList::validate_spec(spec);
               if (!err.empty()) {
                 p.note(item, "sockets: '" + spec + "': " + err);
                 bad = true;
               }
             }
             if (bad) throw Parser::Abandon{};
             sockets_bad = false;
           } else if (k == "no_default_sockets") {
             a.no_default_sockets = p.boolean(v, k);
           } else if (k == "host_root") {
             std::string dir = p.str(v, k);
             std::string why;
             normalize_host_root(dir, &why);
             if (!why.empty()) p.fail(v, "host_root: " + why);
             a.host_root = dir;
           } else if (k == "host_cgroup2") {
             std::string dir = p.str(v, k);
             if (!dir.empty() && dir[0] != '/') p.fail(v, "host_cgroup2: '" + dir + "' must be an absolute path");
             a.host_cgroup2 = dir;
           } else if (k == "tier") {
             std::string tier = p.str(v, k);
             std::string names;
             bool known = false;
             for (const auto& t : tier_names()) {
               known = known || t == tier;
               names += (names.empty() ? "" : ", ") + t;
             }
             if (!known) p.fail(v, "tier: unknown tier '" + tier + "', expected one of " + names);
             a.tier = tier;
           } else if (k == "payload_cap") {
             a.payload_cap = static_cast<uint32_t>(p.number(v, spec::kPayloadCap));
           } else if (k == "ringbuf_kb") {
             a.ringbuf_kb = static_cast<uint32_t>(p.number(v, spec::kRingbufKb));
           } else if (k == "request_budget") {
             a.request_budget = static_cast<uint32_t>(p.number(v, spec::kRequestBudget));
           } else if (k == "decoder_budget_mb") {
             a.decoder_budget_mb = static_cast<uint32_t>(p.number(v, spec::kDecoderBudgetMb));
           } else if (k == "flood_send_rate") {
             a.flood_send_rate = static_cast<uint32_t>(p.number(v, spec::kFloodSendRate));
           } else if (k == "flood_connect_rate") {
             a.flood_open_rate = static_cast<uint32_t>(p.number(v, spec::kFloodConnectRate));
           } else if (k == "duration_sec") {
             a.duration_sec = p.decimal(v, spec::kDuration);
           } else if (k == "default_rules") {
             a.no_default_rules = !p.boolean(v, k);
           } else if (k == "expected_callers") {
             if (v.IsScalar()) {
               a.expected_callers_file = v.Scalar();  // a separate file, as --expected-callers
               try {
                 CallerPolicy().load_file(a.expected_callers_file);  // its mistakes are this file's too
               } catch (const UserError& e) {
                 p.fail(v, std::string("expected_callers: ") + e.what());
               }
             } else {
               a.expected_rules = parse_expected_callers(p, v);
             }
           } else if (k == "enforce") {
             p.each(v, "enforce", sub_keys("enforce"),
                    [&](const std::string& ek, const YAML::Node&, const YAML::Node& ev) {
                      if (ek == "mode") a.enforce = p.choice(ev, "enforce.mode", {"monitor", "enforce"}) == "enforce";
                      else if (ek == "deny_host_callers") a.deny_host_callers = p.boolean(ev, "enforce.deny_host_callers");
                    });
           } else if (k == "state_dir") {
             a.state_dir = p.str(v, k);
           } else if (k == "docker_data_root") {
             a.docker_data_roots = v.IsScalar() ? std::vector<std::string>{v.Scalar()} : p.strings(v, k);
           } else if (k == "containerd_state") {
             a.containerd_state = p.str(v, k);
           } else if (k == "containers_storage") {
             a.containers_storage = p.str(v, k);
           } else if (k == "containers_runroot") {
             a.containers_runroot = p.str(v, k);
           } else if (k == "outputs") {
             if (!v.IsSequence()) p.fail(v, std::string("outputs: expected a list of outputs (- type: file ...), found ") + yaml_type_name(v));
             cfg.outputs.clear();
             std::set<std::string> names;
             for (const auto& entry : v)
               p.attempt([&] {
                 OutputConfig out = parse_output(p, entry);
                 if (!names.insert(out.name).second)
                   p.fail(entry, "outputs: two outputs are named '" + out.name + "', give one a distinct name");
                 cfg.outputs.push_back(std::move(out));
               });
           } else if (k == "heartbeat") {
             p.each(v, "heartbeat", sub_keys("heartbeat"),
                    [&](const std::string& hk, const YAML::Node&, const YAML::Node& hv) {
                      if (hk == "interval_sec") {
                        cfg.heartbeat.interval_sec = static_cast<uint32_t>(p.number(hv, spec::kHeartbeat));
                      } else if (hk == "prometheus_file") {
                        std::string file = p.str(hv, "heartbeat.prometheus_file");
                        auto why = prometheus_file_error(file);
                        if (!why.empty()) p.fail(hv, "heartbeat.prometheus_file: " + why);
                        cfg.heartbeat.prometheus_file = file;
                      }
                    });
           } else if (k == "audit") {
             p.each(v, "audit", sub_keys("audit"),
                    [&](const std::string& ak, const YAML::Node&, const YAML::Node& av) {
                      if (ak == "enabled") cfg.audit.enabled = p.boolean(av, "audit.enabled");
                      else if (ak == "interval_sec") cfg.audit.interval_sec = static_cast<uint32_t>(p.number(av, spec::kAuditInterval));
                    });
           } else if (k == "severity_threshold") {
             cfg.severity_threshold = p.choice(v, k, severity_threshold_names());
           } else if (k == "redaction") {
             p.each(v, "redaction", sub_keys("redaction"), [&](const std::string&, const YAML::Node&, const YAML::Node& rv) {
               auto headers = p.strings(rv, "redaction.extra_headers");
               for (const auto& h : headers) {
                 auto why = header_name_error(h);
                 if (!why.empty()) p.fail(rv, "redaction.extra_headers: " + why);
               }
               cfg.redact_headers = headers;
             });
           } else {
             // A key in config_keys() that nothing parses: a programming error
             // (the surface test feeds every key a bad value to catch it).
             p.fail(v, k + ": internal error, no parser for this key");
           }
         });
  if (a.no_default_sockets && a.sockets.empty() && !sockets_bad)
    p.note(root, "no_default_sockets is true but sockets lists no socket");
}

}  // namespace

int severity_threshold_score(const std::string& name) {
  for (Severity s : {Severity::None, Severity::Low, Severity::Medium, Severity::High, Severity::Critical})
    if (name == severity_name(s)) return severity_score(s);
  return -1;
}

AgentConfig load_agent_config(const std::string& path, AgentConfig cfg) {
  std::ifstream in(path);
  if (!in)
    throw UserError(kExitUsage, errno_text("cannot read config file " + path, errno),
                    "give an existing file to --config, or leave it out to run on flags alone");
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    // Syntax errors stop yaml-cpp at the first one: there is nothing to walk.
    throw UserError(kExitUsage, path + ":" + std::to_string(yaml_line(e.mark)) +
                                    ": YAML syntax error: " + e.msg, kHint);
  }
  if (root.IsNull()) return cfg;  // an empty file: all defaults
  std::vector<Mistake> mistakes;
  Parser p{path, &mistakes};
  p.attempt([&] { parse_root(p, root, cfg); });
  if (mistakes.empty()) return cfg;
  std::stable_sort(mistakes.begin(), mistakes.end(), [](const Mistake& x, const Mistake& y) { return x.line < y.line; });
  std::string all;
  for (const auto& m : mistakes) all += (all.empty() ? "" : "\n") + m.text;
  if (mistakes.size() > 1) all += "\n" + path + ": " + std::to_string(mistakes.size()) + " mistakes";
  throw UserError(kExitUsage, all, kHint);
}

AgentConfig merge_cli(const AgentConfig& file, const AgentConfig& cli, const std::set<std::string>& given) {
  AgentConfig m = file;
  auto has = [&](const char* name) { return given.count(name) > 0; };
  // No config key (see run_options_without_key(); trace's own options; test
  // seams): always the command line's. --expect adds to the file's
  // expected_callers rather than replacing them.
  m.agent.pids = cli.agent.pids;
  m.agent.container = cli.agent.container;
  m.agent.only_flagged = cli.agent.only_flagged;
  m.agent.expect = cli.agent.expect;
  m.agent.proc_root = cli.agent.proc_root;
  m.agent.mountinfo = cli.agent.mountinfo;
  if (has("duration")) m.agent.duration_sec = cli.agent.duration_sec;
  if (has("host-root")) m.agent.host_root = cli.agent.host_root;
  if (has("host-cgroup2")) m.agent.host_cgroup2 = cli.agent.host_cgroup2;
  if (has("socket")) m.agent.sockets = cli.agent.sockets;
  if (has("no-default-sockets")) m.agent.no_default_sockets = cli.agent.no_default_sockets;
  if (has("tier")) m.agent.tier = cli.agent.tier;
  if (has("payload-cap")) m.agent.payload_cap = cli.agent.payload_cap;
  if (has("flood-send-rate")) m.agent.flood_send_rate = cli.agent.flood_send_rate;
  if (has("flood-connect-rate")) m.agent.flood_open_rate = cli.agent.flood_open_rate;
  if (has("ringbuf-kb")) m.agent.ringbuf_kb = cli.agent.ringbuf_kb;
  if (has("request-budget")) m.agent.request_budget = cli.agent.request_budget;
  if (has("no-default-rules")) m.agent.no_default_rules = cli.agent.no_default_rules;
  if (has("decoder-budget-mb")) m.agent.decoder_budget_mb = cli.agent.decoder_budget_mb;
  if (has("expected-callers")) {
    m.agent.expected_callers_file = cli.agent.expected_callers_file;
    m.agent.expected_rules.clear();
  }
  if (has("docker-data-root")) m.agent.docker_data_roots = cli.agent.docker_data_roots;
  if (has("containerd-state")) m.agent.containerd_state = cli.agent.containerd_state;
  if (has("containers-storage")) m.agent.containers_storage = cli.agent.containers_storage;
  if (has("containers-runroot")) m.agent.containers_runroot = cli.agent.containers_runroot;
  if (has("enforce")) m.agent.enforce = cli.agent.enforce;
  if (has("deny-host-callers")) m.agent.deny_host_callers = cli.agent.deny_host_callers;
  if (has("state-dir")) m.agent.state_dir = cli.agent.state_dir;
  if (has("output")) m.outputs = cli.outputs;
  if (has("heartbeat")) m.heartbeat.interval_sec = cli.heartbeat.interval_sec;
  if (has("prometheus-file")) m.heartbeat.prometheus_file = cli.heartbeat.prometheus_file;
  if (has("severity-threshold")) m.severity_threshold = cli.severity_threshold;
  if (has("redact-header")) m.redact_headers = cli.redact_headers;
  if (has("audit-interval")) m.audit.interval_sec = cli.audit.interval_sec;
  if (has("no-audit")) m.audit.enabled = cli.audit.enabled;
  return m;
}

void apply_audit_config(AgentConfig& cfg) {
  cfg.agent.continuous_audit = cfg.audit.enabled;
  cfg.agent.audit_interval_sec = cfg.audit.interval_sec;
}

void check_agent_config(const AgentConfig& cfg) {
  // Every problem, one per line, as --check-config reports the file's.
  std::vector<std::string> errors;
  std::string hint;
  auto collect = [&](auto&& check) {
    try {
      check();
    } catch (const UserError& e) {
      errors.emplace_back(e.what());
      if (hint.empty()) hint = e.hint();
    }
  };
  collect([&] { validate_agent_options(cfg.agent); });
  collect([&] { build_caller_policy(cfg.agent); });  // loads the expected-callers file, if any
  if (severity_threshold_score(cfg.severity_threshold) < 0)
    errors.push_back("--severity-threshold '" + cfg.severity_threshold +
                     "': expected none, low, medium, high or critical");
  if (auto why = value_error(spec::kHeartbeat, cfg.heartbeat.interval_sec); !why.empty())
    errors.push_back("--heartbeat: " + why);
  if (auto why = value_error(spec::kAuditInterval, cfg.audit.interval_sec); !why.empty())
    errors.push_back("--audit-interval: " + why);
  if (!cfg.heartbeat.prometheus_file.empty())
    if (auto why = prometheus_file_error(cfg.heartbeat.prometheus_file); !why.empty())
      errors.push_back("--prometheus-file " + cfg.heartbeat.prometheus_file + ": " + why);
  for (const auto& h : cfg.redact_headers)
    if (auto why = header_name_error(h); !why.empty()) errors.push_back("--redact-header: " + why);
  if (errors.empty()) return;
  std::string all;
  for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
  throw UserError(kExitUsage, all, hint);
}

}  // namespace sockwarden
