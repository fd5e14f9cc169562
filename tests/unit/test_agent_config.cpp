// The agent config file: every key, CLI overrides, and FILE:LINE errors.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "capture/errors.h"
#include "agent/agent.h"
#include "agent/config_file.h"
#include "agent/config_keys.h"
#include "commands/rules_report.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

class AgentConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sw-config-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "config.yaml") {
    auto p = (dir_ / name).string();
    std::ofstream(p) << text;
    return p;
  }

  // The message of the UserError load_agent_config throws ("" if none).
  std::string error_of(const std::string& text) {
    auto p = write(text);
    try {
      load_agent_config(p);
    } catch (const UserError& e) {
      EXPECT_EQ(e.code(), kExitUsage);
      std::string msg = e.what();
      EXPECT_EQ(msg.rfind(p + ":", 0), 0u) << msg;
      return msg.substr(p.size() + 1);
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(AgentConfigTest, ReadsEveryKey) {
  const std::string text = R"(
sockets: [/run/a.sock, "@abstract"]
no_default_sockets: true
tier: socket-tp
payload_cap: 1024
ringbuf_kb: 4096
request_budget: 2048
expected_callers:
  - exe: /usr/local/bin/dash
  - uid: 1001
enforce:
  mode: enforce
  deny_host_callers: yes
state_dir: /run/sw-test
docker_data_root: [/srv/docker]
containerd_state: /run/ctd
containers_storage: /srv/cs
containers_runroot: /run/cs
decoder_budget_mb: 32
outputs:
  - type: stdout
  - type: file
    path: /var/log/sockwarden/events.json
    max_size_mb: 0.5
    max_files: 3
    fsync: interval
    fsync_interval_ms: 250
  - type: syslog
    path: /run/test-log
    facility: local3
    app_name: sw
    queue_size: 10
heartbeat:
  interval_sec: 30
  prometheus_file: /var/lib/node_exporter/sw.prom
severity_threshold: medium
redaction:
  extra_headers: [X-Api-Key]
audit:
  enabled: false
  interval_sec: 600
host_root: /
flood_send_rate: 100
flood_connect_rate: 0
duration_sec: 2.5
host_cgroup2: /host/cgroup
default_rules: false
)";
  // The file above sets every key config_keys() lists (nested ones as a.b).
  std::set<std::string> in_text;
  YAML::Node doc = YAML::Load(text);
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    std::string top = it->first.Scalar();
    if (!sub_keys(top).empty())
      for (auto sub = it->second.begin(); sub != it->second.end(); ++sub) in_text.insert(top + "." + sub->first.Scalar());
    else
      in_text.insert(top);
  }
  std::set<std::string> listed;
  for (const auto& k : config_keys()) listed.insert(k.key);
  EXPECT_EQ(in_text, listed) << "ReadsEveryKey must set every config key";
  auto p = write(text);
  AgentConfig c = load_agent_config(p);
  EXPECT_FALSE(c.audit.enabled);
  EXPECT_EQ(c.audit.interval_sec, 600u);
  EXPECT_EQ(c.agent.host_root, "/");
  EXPECT_EQ(c.agent.flood_send_rate, 100u);
  EXPECT_EQ(c.agent.flood_open_rate, 0u);
  EXPECT_EQ(c.agent.duration_sec, 2.5);
  EXPECT_EQ(c.agent.host_cgroup2, "/host/cgroup");
  EXPECT_TRUE(c.agent.no_default_rules);
  EXPECT_EQ(c.agent.sockets, (std::vector<std::string>{"/run/a.sock", "@abstract"}));
  EXPECT_TRUE(c.agent.no_default_sockets);
  EXPECT_EQ(c.agent.tier, "socket-tp");
  EXPECT_EQ(c.agent.payload_cap, 1024u);
  EXPECT_EQ(c.agent.ringbuf_kb, 4096u);
  EXPECT_EQ(c.agent.request_budget, 2048u);
  EXPECT_EQ(c.agent.decoder_budget_mb, 32u);
  ASSERT_EQ(c.agent.expected_rules.size(), 2u);
  EXPECT_EQ(c.agent.expected_rules[0].pattern, "/usr/local/bin/dash");
  EXPECT_EQ(c.agent.expected_rules[0].origin, p + ":9");
  EXPECT_EQ(c.agent.expected_rules[1].uid, 1001u);
  EXPECT_TRUE(c.agent.enforce);
  EXPECT_TRUE(c.agent.deny_host_callers);
  EXPECT_EQ(c.agent.state_dir, "/run/sw-test");
  EXPECT_EQ(c.agent.docker_data_roots, std::vector<std::string>{"/srv/docker"});
  EXPECT_EQ(c.agent.containerd_state, "/run/ctd");
  EXPECT_EQ(c.agent.containers_storage, "/srv/cs");
  EXPECT_EQ(c.agent.containers_runroot, "/run/cs");
  ASSERT_EQ(c.outputs.size(), 3u);
  EXPECT_EQ(c.outputs[0].type, OutputConfig::Type::Stdout);
  EXPECT_EQ(c.outputs[0].name, "stdout");
  EXPECT_EQ(c.outputs[1].type, OutputConfig::Type::File);
  EXPECT_EQ(c.outputs[1].name, "/var/log/sockwarden/events.json");
  EXPECT_EQ(c.outputs[1].max_size_bytes, 512u * 1024);
  EXPECT_EQ(c.outputs[1].max_files, 3u);
  EXPECT_EQ(c.outputs[1].fsync, FsyncMode::Interval);
  EXPECT_EQ(c.outputs[1].fsync_interval_ms, 250u);
  EXPECT_EQ(c.outputs[2].type, OutputConfig::Type::Syslog);
  EXPECT_EQ(c.outputs[2].socket_path, "/run/test-log");
  EXPECT_EQ(c.outputs[2].facility, 19);
  EXPECT_EQ(c.outputs[2].app_name, "sw");
  EXPECT_EQ(c.outputs[2].queue_size, 10u);
  EXPECT_EQ(c.heartbeat.interval_sec, 30u);
  EXPECT_EQ(c.heartbeat.prometheus_file, "/var/lib/node_exporter/sw.prom");
  EXPECT_EQ(c.severity_threshold, "medium");
  EXPECT_EQ(c.redact_headers, std::vector<std::string>{"X-Api-Key"});
  EXPECT_NO_THROW(check_agent_config(c));
}

TEST_F(AgentConfigTest, EmptyFileKeepsDefaults) {
  AgentConfig c = load_agent_config(write(""));
  EXPECT_EQ(c.agent.tier, "auto");
  EXPECT_EQ(c.heartbeat.interval_sec, 60u);
  EXPECT_TRUE(c.outputs.empty());
}

// default_rules: false is --no-default-rules; the flag wins over the file.
TEST_F(AgentConfigTest, DefaultRulesKeyAndFlag) {
  auto c = load_agent_config(write("default_rules: false\n"));
  EXPECT_TRUE(c.agent.no_default_rules);
  EXPECT_FALSE(load_agent_config(write("default_rules: true\n")).agent.no_default_rules);
  EXPECT_EQ(build_caller_policy(c.agent).rules().size(), 0u);
  EXPECT_GT(build_caller_policy(AgentOptions{}).rules().size(), 0u);
  AgentConfig cli;
  cli.agent.no_default_rules = false;
  EXPECT_TRUE(merge_cli(c, cli, {}).agent.no_default_rules) << "flag not given: the file's";
  AgentConfig on_file = load_agent_config(write("default_rules: true\n"));
  cli.agent.no_default_rules = true;
  EXPECT_TRUE(merge_cli(on_file, cli, {"no-default-rules"}).agent.no_default_rules);

  // doctor says which rules are in force.
  std::ostringstream off, on;
  print_rules_in_force(off, c.agent);
  EXPECT_NE(off.str().find("(0 rules; built-in default rules OFF"), std::string::npos) << off.str();
  print_rules_in_force(on, AgentOptions{});
  EXPECT_NE(on.str().find("default rules ON"), std::string::npos) << on.str();
  EXPECT_NE(on.str().find("exe:*/runc  (default)"), std::string::npos) << on.str();
}

TEST_F(AgentConfigTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("tier: auto\nbogus: 1\n"),
            "2: unknown key 'bogus' in the config file, expected one of sockets, no_default_sockets, tier, "
            "payload_cap, ringbuf_kb, request_budget, decoder_budget_mb, expected_callers, default_rules, enforce, state_dir, docker_data_root, "
            "containerd_state, containers_storage, containers_runroot, outputs, heartbeat, severity_threshold, "
            "redaction, audit, host_root, flood_send_rate, flood_connect_rate, duration_sec, host_cgroup2");
  EXPECT_EQ(error_of("\n\ntier: nosuch\n").substr(0, 30), "3: tier: unknown tier 'nosuch'");
  EXPECT_EQ(error_of("payload_cap: lots\n"), "1: payload_cap: expected a whole number from 0 to 16384, found 'lots'");
  EXPECT_EQ(error_of("payload_cap: 99999\n"), "1: payload_cap: 99999 is out of range, expected 0 to 16384");
  EXPECT_EQ(error_of("decoder_budget_mb: 2\n"), "1: decoder_budget_mb: 2 is out of range, expected 4 to 16384");
  EXPECT_EQ(error_of("ringbuf_kb: 5000\n"), "1: ringbuf_kb: 5000 is not a power of two, expected e.g. 4096 or 8192");
  EXPECT_EQ(error_of("no_default_sockets: maybe\n"), "1: no_default_sockets: expected true or false, found 'maybe'");
  EXPECT_EQ(error_of("sockets: /run/x.sock\n"), "1: sockets: expected a list of strings, found a scalar");
  EXPECT_EQ(error_of("sockets:\n  - /ok.sock\n  - \"@\"\n"), "3: sockets: '@': abstract socket name after '@' is empty");
  EXPECT_EQ(error_of("enforce:\n  mode: deny\n"), "2: enforce.mode: 'deny' is not valid, expected one of monitor, enforce");
  EXPECT_EQ(error_of("enforce: {mode: enforce, other: 1}\n"),
            "1: unknown key 'other' in enforce, expected one of mode, deny_host_callers");
  EXPECT_EQ(error_of("expected_callers:\n  - exe: /a\n  - nope: 1\n"),
            "3: unknown key 'nope', expected exe, uid, container, image or cgroup");
  EXPECT_EQ(error_of("outputs:\n  - type: kafka\n"), "2: type: 'kafka' is not valid, expected one of stdout, file, syslog");
  EXPECT_EQ(error_of("outputs:\n  - type: file\n"), "2: a file output needs a path");
  EXPECT_EQ(error_of("outputs:\n  - type: file\n    path: rel.json\n"),
            "3: path: expected an absolute file path, found 'rel.json'");
  EXPECT_EQ(error_of("outputs:\n  - type: file\n    path: /x\n    fsync: sometimes\n"),
            "4: fsync: 'sometimes' is not valid, expected one of never, every_event, interval");
  EXPECT_EQ(error_of("outputs:\n  - type: stdout\n    path: /x\n"),
            "3: unknown key 'path' in a stdout output, expected one of type, name, queue_size");
  EXPECT_EQ(error_of("outputs:\n  - type: syslog\n    facility: kitchen\n"),
            "3: facility: 'kitchen' is not a syslog facility, expected e.g. daemon, user, auth, local0..local7");
  EXPECT_EQ(error_of("outputs:\n  - type: stdout\n  - type: stdout\n"),
            "3: outputs: two outputs are named 'stdout', give one a distinct name");
  EXPECT_EQ(error_of("heartbeat:\n  interval_sec: -1\n"),
            "2: heartbeat.interval_sec: expected a whole number from 0 to 86400, found '-1'");
  EXPECT_EQ(error_of("severity_threshold: loud\n"),
            "1: severity_threshold: 'loud' is not valid, expected one of none, low, medium, high, critical");
  EXPECT_EQ(error_of("tier: auto\nsockets: [a\n").substr(0, 22), "3: YAML syntax error: ");
  EXPECT_EQ(error_of("- a\n- b\n"), "1: the config file: expected a mapping, found a list");
  EXPECT_EQ(error_of("tier:\n"), "1: tier: has no value");
}

TEST_F(AgentConfigTest, MissingFileIsAUsageError) {
  try {
    load_agent_config((dir_ / "absent.yaml").string());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find("absent.yaml"), std::string::npos);
  }
}

TEST_F(AgentConfigTest, FlagsGivenOverrideTheFile) {
  AgentConfig file = load_agent_config(write("tier: socket-tp\npayload_cap: 100\nheartbeat: {interval_sec: 5}\n"
                                             "outputs: [{type: file, path: /tmp/x.json}]\n"));
  AgentConfig cli;
  cli.agent.tier = "syscall-tp";
  cli.agent.payload_cap = 4096;  // default, not typed
  cli.agent.duration_sec = 3;
  cli.heartbeat.interval_sec = 0;
  AgentConfig m = merge_cli(file, cli, {"tier", "heartbeat", "duration"});
  EXPECT_EQ(m.agent.tier, "syscall-tp");
  EXPECT_EQ(m.agent.payload_cap, 100u);
  EXPECT_EQ(m.agent.duration_sec, 3);
  EXPECT_EQ(m.heartbeat.interval_sec, 0u);
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].path, "/tmp/x.json");
}

TEST_F(AgentConfigTest, AuditKey) {
  AgentConfig d = load_agent_config(write(""));
  EXPECT_TRUE(d.audit.enabled);  // run audits continuously unless told not to
  EXPECT_EQ(d.audit.interval_sec, 300u);
  AgentConfig c = load_agent_config(write("audit:\n  enabled: false\n  interval_sec: 0\n"));
  EXPECT_FALSE(c.audit.enabled);
  EXPECT_EQ(c.audit.interval_sec, 0u);
  apply_audit_config(c);
  EXPECT_FALSE(c.agent.continuous_audit);
  c = load_agent_config(write("audit: {interval_sec: 3600}\n"));
  apply_audit_config(c);
  EXPECT_TRUE(c.agent.continuous_audit);
  EXPECT_EQ(c.agent.audit_interval_sec, 3600u);

  EXPECT_EQ(error_of("tier: auto\naudit:\n  interval_sec: soon\n"),
            "3: audit.interval_sec: expected a whole number from 0 to 604800, found 'soon'");
  EXPECT_EQ(error_of("audit:\n  interval_sec: 604801\n"),
            "2: audit.interval_sec: 604801 is out of range, expected 0 to 604800");
  EXPECT_EQ(error_of("audit:\n  enabled: maybe\n"), "2: audit.enabled: expected true or false, found 'maybe'");
  EXPECT_EQ(error_of("audit:\n  every: 5\n"),
            "2: unknown key 'every' in audit, expected one of enabled, interval_sec");
  EXPECT_EQ(error_of("audit: 300\n"), "1: audit: expected a mapping, found a scalar");

  // --audit-interval / --no-audit override the file; untyped they do not.
  AgentConfig cli;
  cli.audit.interval_sec = 60;
  cli.audit.enabled = false;
  AgentConfig m = merge_cli(c, cli, {});
  EXPECT_EQ(m.audit.interval_sec, 3600u);
  EXPECT_TRUE(m.audit.enabled);
  m = merge_cli(c, cli, {"audit-interval", "no-audit"});
  EXPECT_EQ(m.audit.interval_sec, 60u);
  EXPECT_FALSE(m.audit.enabled);
}

TEST_F(AgentConfigTest, ExpectedCallersMayNameAFile) {
  auto rules = write("expected_callers:\n  - uid: 7\n", "rules.yaml");
  AgentConfig c = load_agent_config(write("expected_callers: " + rules + "\n"));
  EXPECT_EQ(c.agent.expected_callers_file, rules);
  EXPECT_NO_THROW(check_agent_config(c));
  c.agent.expected_callers_file = (dir_ / "missing.yaml").string();
  EXPECT_THROW(check_agent_config(c), UserError);
}

// The keys that were command-line only: same checks as their options, and a
// typed option still wins over the file.
TEST_F(AgentConfigTest, HostRootFloodAndDurationKeys) {
  AgentConfig c = load_agent_config(write("host_root: " + dir_.string() +
                                          "\nflood_send_rate: 0\nflood_connect_rate: 1000000\nduration_sec: 30\n"));
  EXPECT_EQ(c.agent.host_root, dir_.string());
  EXPECT_EQ(c.agent.flood_send_rate, 0u);
  EXPECT_EQ(c.agent.flood_open_rate, 1000000u);
  EXPECT_EQ(c.agent.duration_sec, 30);
  EXPECT_NO_THROW(check_agent_config(c));

  EXPECT_EQ(error_of("host_root: relative/dir\n"), "1: host_root: relative/dir: must be an absolute path");
  EXPECT_EQ(error_of("host_root: " + dir_.string() + "/absent\n"),
            "1: host_root: " + dir_.string() + "/absent: No such file or directory");
  EXPECT_EQ(error_of("flood_send_rate: 1000001\n"),
            "1: flood_send_rate: 1000001 is out of range, expected 0 to 1000000");
  EXPECT_EQ(error_of("flood_connect_rate: fast\n"),
            "1: flood_connect_rate: expected a whole number from 0 to 1000000, found 'fast'");
  EXPECT_EQ(error_of("duration_sec: -1\n"), "1: duration_sec: -1 is out of range, expected a number >= 0");
  EXPECT_EQ(error_of("duration_sec: soon\n"), "1: duration_sec: expected a number >= 0, found 'soon'");
  EXPECT_EQ(error_of("redaction:\n  extra_headers: [\"X Bad\"]\n"),
            "2: redaction.extra_headers: 'X Bad' is not an HTTP header name");

  AgentConfig cli;
  cli.agent.host_root = "/";
  cli.agent.flood_send_rate = 7;
  cli.agent.flood_open_rate = 8;
  cli.agent.duration_sec = 1;
  cli.redact_headers = {"X-Cli"};
  AgentConfig m = merge_cli(c, cli, {});  // nothing typed: the file's
  EXPECT_EQ(m.agent.host_root, dir_.string());
  EXPECT_EQ(m.agent.flood_send_rate, 0u);
  EXPECT_EQ(m.agent.duration_sec, 30);
  m = merge_cli(c, cli, {"host-root", "flood-send-rate", "flood-connect-rate", "duration", "redact-header"});
  EXPECT_EQ(m.agent.host_root, "/");
  EXPECT_EQ(m.agent.flood_send_rate, 7u);
  EXPECT_EQ(m.agent.flood_open_rate, 8u);
  EXPECT_EQ(m.agent.duration_sec, 1);
  EXPECT_EQ(m.redact_headers, std::vector<std::string>{"X-Cli"});
}

// --check-config reports every mistake of a file, each with FILE:LINE, in
// line order, then how many there were.
TEST_F(AgentConfigTest, EveryMistakeInOneRun) {
  auto p = write(
      "tier: auto\n"                      // 1 fine
      "bogus_key: 1\n"                    // 2 unknown key
      "payload_cap: [1, 2]\n"             // 3 wrong type
      "ringbuf_kb: 2097152\n"             // 4 out-of-range int
      "severity_threshold: loud\n"        // 5 bad enum value
      "heartbeat:\n"                      // 6
      "  interval_sec: 86401\n"           // 7 nested, out of range
      "  prometheus_file: rel.prom\n"     // 8 nested, bad value
      "  every: 1\n"                      // 9 nested unknown key
      "enforce: {mode: deny}\n"           // 10 nested bad enum
      "outputs:\n"                        // 11
      "  - type: file\n"                  // 12
      "    path: /tmp/x.json\n"           // 13
      "    max_size_mb: 2000000\n"        // 14 decimal out of range
      "    max_files: many\n"             // 15 second mistake in the same entry
      "  - type: kafka\n"                 // 16 bad enum in a list entry
      "expected_callers:\n"               // 17
      "  - exe: /ok\n"                    // 18
      "  - nope: 1\n"                     // 19 bad list entry
      "  - uid: x\n"                      // 20 another bad list entry
      "flood_send_rate: -5\n");           // 21 wrong type (negative)
  std::string msg;
  try {
    load_agent_config(p);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.code(), kExitUsage);
    msg = e.what();
  }
  std::vector<std::string> lines;
  std::istringstream in(msg);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const std::vector<std::string> want = {
      p + ":2: unknown key 'bogus_key' in the config file, expected one of ",
      p + ":3: payload_cap: expected a whole number from 0 to 16384, found a list",
      p + ":4: ringbuf_kb: 2097152 is out of range, expected 4 to 1048576",
      p + ":5: severity_threshold: 'loud' is not valid, expected one of none, low, medium, high, critical",
      p + ":7: heartbeat.interval_sec: 86401 is out of range, expected 0 to 86400",
      p + ":8: heartbeat.prometheus_file: expected an absolute path",
      p + ":9: unknown key 'every' in heartbeat, expected one of interval_sec, prometheus_file",
      p + ":10: enforce.mode: 'deny' is not valid, expected one of monitor, enforce",
      p + ":14: max_size_mb: 2000000 is out of range, expected a number from 0 to 1048576",
      p + ":15: max_files: expected a whole number from 0 to 1000, found 'many'",
      p + ":16: type: 'kafka' is not valid, expected one of stdout, file, syslog",
      p + ":19: unknown key 'nope', expected exe, uid, container, image or cgroup",
      p + ":20: 'uid': ",
      p + ":21: flood_send_rate: expected a whole number from 0 to 1000000, found '-5'",
      p + ": 14 mistakes",
  };
  ASSERT_EQ(lines.size(), want.size()) << msg;
  for (size_t i = 0; i < want.size(); i++)
    EXPECT_EQ(lines[i].substr(0, want[i].size()), want[i]) << "line " << i << " of\n" << msg;
}

// Numbers in messages print as written: no "0.000000 to 1048576.000000".
TEST_F(AgentConfigTest, RangesPrintAsIntegers) {
  EXPECT_EQ(error_of("outputs:\n  - type: file\n    path: /x\n    max_size_mb: big\n"),
            "4: max_size_mb: expected a number from 0 to 1048576, found 'big'");
  EXPECT_EQ(error_of("outputs:\n  - type: file\n    path: /x\n    max_size_mb: -0.5\n"),
            "4: max_size_mb: -0.5 is out of range, expected a number from 0 to 1048576");
  EXPECT_EQ(error_of("outputs:\n  - type: file\n    path: /x\n    max_size_mb: nan\n"),
            "4: max_size_mb: expected a number from 0 to 1048576, found 'nan'");
  EXPECT_EQ(format_number(0.5), "0.5");
  EXPECT_EQ(format_number(1048576), "1048576");
  EXPECT_EQ(format_number(0), "0");
}

// yaml-cpp stops at the first syntax error: that one, with its line.
TEST_F(AgentConfigTest, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(error_of("tier: auto\n\tpayload_cap: 10\n"), "2: YAML syntax error: illegal tab when looking for indentation");
  EXPECT_EQ(error_of("tier: auto\nheartbeat:\n  interval_sec: 5\n bad: x\n"), "4: YAML syntax error: end of map not found");
  EXPECT_EQ(error_of("tier: auto\n- x\n"), "2: YAML syntax error: end of map not found");
  EXPECT_EQ(error_of("a: 1\nb: 2\nc: {x: 1\n"), "4: YAML syntax error: end of map flow not found");
}

// A list entry or a key that is bad does not hide the good ones' mistakes,
// and a bad `sockets` value is not also reported as an empty list.
TEST_F(AgentConfigTest, NoCascadingMistakes) {
  EXPECT_EQ(error_of("no_default_sockets: true\nsockets: /one.sock\n"),
            "2: sockets: expected a list of strings, found a scalar");
  EXPECT_EQ(error_of("no_default_sockets: true\n"), "1: no_default_sockets is true but sockets lists no socket");
  std::string two = error_of("sockets: [\"@\", /ok.sock, \"\"]\n");
  EXPECT_NE(two.find("1: sockets: '@'"), std::string::npos) << two;
  EXPECT_NE(two.find(":1: sockets: '': "), std::string::npos) << two;
  EXPECT_NE(two.find(": 2 mistakes"), std::string::npos) << two;
}

TEST(SeverityThreshold, Scores) {
  EXPECT_EQ(severity_threshold_score("none"), 0);
  EXPECT_GT(severity_threshold_score("high"), severity_threshold_score("medium"));
  EXPECT_EQ(severity_threshold_score("loud"), -1);
}

// host_cgroup2: the host's cgroup2 hierarchy mounted in a pod (docs/kubernetes-cgroupns.md).
TEST_F(AgentConfigTest, HostCgroup2KeyAndFlag) {
  EXPECT_EQ(load_agent_config(write("host_cgroup2: /host/cgroup\n")).agent.host_cgroup2, "/host/cgroup");
  AgentConfig file = load_agent_config(write("host_cgroup2: /host/cgroup\n"));
  AgentConfig cli;
  cli.agent.host_cgroup2 = "/other";
  EXPECT_EQ(merge_cli(file, cli, {}).agent.host_cgroup2, "/host/cgroup");
  EXPECT_EQ(merge_cli(file, cli, {"host-cgroup2"}).agent.host_cgroup2, "/other");
  AgentOptions o;
  o.host_cgroup2 = "relative/cgroup";
  EXPECT_THROW(validate_agent_options(o), UserError);
  o.host_cgroup2 = "/host/cgroup";
  EXPECT_NO_THROW(validate_agent_options(o));
}

}  // namespace
}  // namespace sockwarden

