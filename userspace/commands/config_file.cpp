#include "commands/config_file.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "capture/bpf_tier.h"
#include "capture/errors.h"
#include "capture/watch_list.h"
#include "decode/severity.h"
#include "events.h"
#include "outputs/syslog_output.h"

namespace sockwarden {
namespace {

constexpr const char* kHint = "see the Configuration section of the README, or packaging/config.yaml";

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

// The file being parsed: every error names FILE:LINE.
struct Parser {
  std::string path;

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    int line = at.Mark().line >= 0 ? at.Mark().line + 1 : 1;
    throw UserError(kExitUsage, path + ":" + std::to_string(line) + ": " + what, kHint);
  }

  std::string str(const YAML::Node& v, const std::string& key) const {
    if (!v.IsScalar()) fail(v, key + ": expected a string, found " + type_name(v));
    return v.Scalar();
  }

  bool boolean(const YAML::Node& v, const std::string& key) const {
    std::string s = v.IsScalar() ? v.Scalar() : "";
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(v, key + ": expected true or false, found " + (v.IsScalar() ? "'" + s + "'" : std::string(type_name(v))));
  }

  uint64_t number(const YAML::Node& v, const std::string& key, uint64_t min, uint64_t max) const {
    std::string s = v.IsScalar() ? v.Scalar() : "";
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19)
      fail(v, key + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                  ", found " + (v.IsScalar() ? "'" + s + "'" : std::string(type_name(v))));
    uint64_t n = std::stoull(s);
    if (n < min || n > max)
      fail(v, key + ": " + s + " is out of range, expected " + std::to_string(min) + " to " + std::to_string(max));
    return n;
  }

  double decimal(const YAML::Node& v, const std::string& key, double min, double max) const {
    std::string s = v.IsScalar() ? v.Scalar() : "";
    double d = 0;
    size_t used = 0;
    try {
      d = std::stod(s, &used);
    } catch (...) {
      used = 0;
    }
    if (s.empty() || used != s.size() || !std::isfinite(d) || d < min || d > max)
      fail(v, key + ": expected a number from " + std::to_string(min) + " to " + std::to_string(max) + ", found " +
                  (v.IsScalar() ? "'" + s + "'" : std::string(type_name(v))));
    return d;
  }

  std::vector<std::string> strings(const YAML::Node& v, const std::string& key) const {
    if (!v.IsSequence()) fail(v, key + ": expected a list of strings, found " + type_name(v));
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

  // Iterates a mapping, rejecting keys not in `known`.
  template <class F>
  void each(const YAML::Node& map, const std::string& what, const std::vector<std::string>& known, F&& f) const {
    if (!map.IsMap()) fail(map, what + ": expected a mapping, found " + type_name(map));
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      std::string name = key.IsScalar() ? key.Scalar() : "";
      bool ok = false;
      for (const auto& k : known) ok = ok || k == name;
      if (!ok) fail(key, "unknown key '" + name + "' in " + what + ", expected one of " + list);
      if (!seen.insert(name).second) fail(key, "key '" + name + "' appears twice in " + what);
      if (value.IsNull()) fail(key, name + ": has no value");
      f(name, key, value);
    }
  }
};

OutputConfig parse_output(const Parser& p, const YAML::Node& entry) {
  if (!entry.IsMap()) p.fail(entry, std::string("outputs entry: expected a mapping with a type, found ") + type_name(entry));
  if (!entry["type"]) p.fail(entry, "outputs entry: missing type, expected stdout, file or syslog");
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
  p.each(entry, what, known, [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
    (void)key;
    if (k == "name") c.name = p.str(v, k);
    else if (k == "queue_size") c.queue_size = p.number(v, k, 1, 1000000);
    else if (k == "path" && c.type == OutputConfig::Type::File) {
      c.path = p.str(v, k);
      if (c.path.empty() || c.path[0] != '/') p.fail(v, "path: expected an absolute file path, found '" + c.path + "'");
    } else if (k == "path") {
      c.socket_path = p.str(v, k);
      if (c.socket_path.empty() || c.socket_path[0] != '/' || c.socket_path.size() >= 108)
        p.fail(v, "path: expected the absolute path of a unix datagram socket (shorter than 108 bytes), found '" +
                      c.socket_path + "'");
    } else if (k == "max_size_mb") c.max_size_bytes = static_cast<uint64_t>(p.decimal(v, k, 0, 1024 * 1024) * 1048576.0);
    else if (k == "max_files") c.max_files = static_cast<uint32_t>(p.number(v, k, 0, 1000));
    else if (k == "fsync") {
      std::string m = p.choice(v, k, {"never", "every_event", "interval"});
      c.fsync = m == "never" ? FsyncMode::Never : m == "every_event" ? FsyncMode::EveryEvent : FsyncMode::Interval;
    } else if (k == "fsync_interval_ms") c.fsync_interval_ms = static_cast<uint32_t>(p.number(v, k, 1, 3600000));
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
  if (c.type == OutputConfig::Type::File && c.path.empty()) p.fail(entry, "a file output needs a path");
  if (c.name.empty())
    c.name = c.type == OutputConfig::Type::File ? c.path : c.type == OutputConfig::Type::Syslog ? "syslog" : "stdout";
  return c;
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
  Parser p{path};
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    throw UserError(kExitUsage, path + ":" + std::to_string(e.mark.line >= 0 ? e.mark.line + 1 : 1) +
                                    ": YAML syntax error: " + e.msg, kHint);
  }
  if (root.IsNull()) return cfg;  // an empty file: all defaults
  AgentOptions& a = cfg.agent;
  p.each(root, "the config file",
         {"sockets", "no_default_sockets", "tier", "payload_cap", "ringbuf_kb", "request_budget", "decoder_budget_mb", "expected_callers", "default_rules",
          "enforce", "state_dir", "docker_data_root", "containerd_state", "containers_storage", "containers_runroot",
          "outputs", "heartbeat", "severity_threshold", "redaction", "audit", "host_cgroup2"},
         [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
           if (k == "sockets") {
             a.sockets = p.strings(v, k);
             size_t i = 0;
             for (const auto& item : v) {
               auto err = WatchList::validate_spec(a.sockets[i++]);
               if (!err.empty()) p.fail(item, "sockets: '" + a.sockets[i - 1] + "': " + err);
             }
           } else if (k == "no_default_sockets") {
             a.no_default_sockets = p.boolean(v, k);
           } else if (k == "tier") {
             a.tier = p.str(v, k);
             if (a.tier != "auto" && !find_tier(a.tier)) {
               std::string names = "auto";
               for (const auto& t : tier_table()) names += std::string(", ") + t.name;
               p.fail(v, "tier: unknown tier '" + a.tier + "', expected one of " + names);
             }
           } else if (k == "payload_cap") {
             a.payload_cap = static_cast<uint32_t>(p.number(v, k, 0, SW_PAYLOAD_MAX));
           } else if (k == "ringbuf_kb") {
             uint64_t kb = p.number(v, k, 4, 1u << 20);
             if ((kb & (kb - 1)) != 0) p.fail(v, "ringbuf_kb: " + std::to_string(kb) + " is not a power of two, expected e.g. 4096 or 8192");
             a.ringbuf_kb = static_cast<uint32_t>(kb);
           } else if (k == "request_budget") {
             a.request_budget = static_cast<uint32_t>(p.number(v, k, 1024, 16u << 20));
           } else if (k == "default_rules") {
             a.no_default_rules = !p.boolean(v, k);
           } else if (k == "decoder_budget_mb") {
             a.decoder_budget_mb = static_cast<uint32_t>(p.number(v, k, 4, 16384));
           } else if (k == "expected_callers") {
             if (v.IsScalar()) {
               a.expected_callers_file = v.Scalar();  // a separate file, as --expected-callers
             } else {
               CallerPolicy rules;
               rules.load_yaml_list(path, v);
               a.expected_rules = rules.rules();
             }
           } else if (k == "enforce") {
             p.each(v, "enforce", {"mode", "deny_host_callers"},
                    [&](const std::string& ek, const YAML::Node&, const YAML::Node& ev) {
                      if (ek == "mode") a.enforce = p.choice(ev, "enforce.mode", {"monitor", "enforce"}) == "enforce";
                      else a.deny_host_callers = p.boolean(ev, "enforce.deny_host_callers");
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
           } else if (k == "host_cgroup2") {
             a.host_cgroup2 = p.str(v, k);
           } else if (k == "outputs") {
             if (!v.IsSequence()) p.fail(v, std::string("outputs: expected a list of outputs (- type: file ...), found ") + type_name(v));
             cfg.outputs.clear();
             std::set<std::string> names;
             for (const auto& entry : v) {
               cfg.outputs.push_back(parse_output(p, entry));
               if (!names.insert(cfg.outputs.back().name).second)
                 p.fail(entry, "outputs: two outputs are named '" + cfg.outputs.back().name + "', give one a distinct name");
             }
           } else if (k == "heartbeat") {
             p.each(v, "heartbeat", {"interval_sec", "prometheus_file"},
                    [&](const std::string& hk, const YAML::Node&, const YAML::Node& hv) {
                      if (hk == "interval_sec") cfg.heartbeat.interval_sec = static_cast<uint32_t>(p.number(hv, "heartbeat.interval_sec", 0, 86400));
                      else {
                        cfg.heartbeat.prometheus_file = p.str(hv, "heartbeat.prometheus_file");
                        if (cfg.heartbeat.prometheus_file.empty() || cfg.heartbeat.prometheus_file[0] != '/')
                          p.fail(hv, "heartbeat.prometheus_file: expected an absolute path (e.g. "
                                     "/var/lib/node_exporter/textfile_collector/sockwarden.prom)");
                      }
                    });
           } else if (k == "audit") {
             p.each(v, "audit", {"enabled", "interval_sec"},
                    [&](const std::string& ak, const YAML::Node&, const YAML::Node& av) {
                      if (ak == "enabled") cfg.audit.enabled = p.boolean(av, "audit.enabled");
                      else cfg.audit.interval_sec = static_cast<uint32_t>(p.number(av, "audit.interval_sec", 0, 604800));
                    });
           } else if (k == "severity_threshold") {
             cfg.severity_threshold = p.choice(v, k, {"none", "low", "medium", "high", "critical"});
           } else if (k == "redaction") {
             p.each(v, "redaction", {"extra_headers"}, [&](const std::string&, const YAML::Node&, const YAML::Node& rv) {
               cfg.redact_headers = p.strings(rv, "redaction.extra_headers");
               for (const auto& h : cfg.redact_headers)
                 if (h.empty() || h.find_first_of(" :\t\r\n") != std::string::npos)
                   p.fail(rv, "redaction.extra_headers: '" + h + "' is not an HTTP header name");
             });
           }
           (void)key;
         });
  if (a.no_default_sockets && a.sockets.empty())
    p.fail(root, "no_default_sockets is true but sockets lists no socket");
  return cfg;
}

AgentConfig merge_cli(const AgentConfig& file, const AgentConfig& cli, const std::set<std::string>& given) {
  AgentConfig m = file;
  auto has = [&](const char* name) { return given.count(name) > 0; };
  // No config key: always the command line's.
  m.agent.duration_sec = cli.agent.duration_sec;
  m.agent.pids = cli.agent.pids;
  m.agent.container = cli.agent.container;
  m.agent.only_flagged = cli.agent.only_flagged;
  m.agent.expect = cli.agent.expect;
  m.agent.proc_root = cli.agent.proc_root;
  m.agent.host_root = cli.agent.host_root;
  m.agent.mountinfo = cli.agent.mountinfo;
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
  if (has("host-cgroup2")) m.agent.host_cgroup2 = cli.agent.host_cgroup2;
  if (has("output")) m.outputs = cli.outputs;
  if (has("heartbeat")) m.heartbeat.interval_sec = cli.heartbeat.interval_sec;
  if (has("prometheus-file")) m.heartbeat.prometheus_file = cli.heartbeat.prometheus_file;
  if (has("severity-threshold")) m.severity_threshold = cli.severity_threshold;
  if (has("audit-interval")) m.audit.interval_sec = cli.audit.interval_sec;
  if (has("no-audit")) m.audit.enabled = cli.audit.enabled;
  return m;
}

void apply_audit_config(AgentConfig& cfg) {
  cfg.agent.continuous_audit = cfg.audit.enabled;
  cfg.agent.audit_interval_sec = cfg.audit.interval_sec;
}

void check_agent_config(const AgentConfig& cfg) {
  validate_agent_options(cfg.agent);
  build_caller_policy(cfg.agent);  // loads the expected-callers file, if any
  if (severity_threshold_score(cfg.severity_threshold) < 0)
    throw UserError(kExitUsage, "--severity-threshold '" + cfg.severity_threshold +
                                    "': expected none, low, medium, high or critical");
}

}  // namespace sockwarden
