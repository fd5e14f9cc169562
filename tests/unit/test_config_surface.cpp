// One configuration surface: every option of the real `run` command (built by
// add_run_command, as main() builds it) is a config key and every config key
// an option, except the explicit allow-list; the CLI and the file enforce the
// same ranges; every key is parsed and documented in docs/configuration.md.
#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capture/errors.h"
#include "agent/config_file.h"
#include "agent/config_keys.h"
#include "commands/run_cli.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

// Long names (no dashes) of a command's options; an option without a long
// name could not be matched to a key, so it is reported as "-x".
std::set<std::string> long_names(const CLI::App* cmd) {
  std::set<std::string> out;
  for (const CLI::Option* o : cmd->get_options()) {
    auto names = o->get_lnames();
    out.insert(names.empty() ? o->get_name() : names.front());
  }
  return out;
}

// Everything that does not line up between the options, the keys and the
// allow-list; empty when the surface is whole.
std::vector<std::string> mismatches(const std::set<std::string>& options, const std::vector<ConfigKey>& keys,
                                    const std::vector<OptionWithoutKey>& without_key) {
  std::vector<std::string> out;
  std::map<std::string, std::string> key_of;  // option -> key
  for (const auto& k : keys) {
    if (k.options.empty()) out.push_back("config key " + k.key + " has no option");
    for (const auto& o : k.options) {
      if (!options.count(o)) out.push_back("config key " + k.key + " names --" + o + ", which run does not have");
      key_of[o] = k.key;
    }
  }
  std::set<std::string> allowed;
  for (const auto& w : without_key) {
    if (w.reason.empty()) out.push_back("--" + w.option + " is allow-listed without a reason");
    if (!options.count(w.option)) out.push_back("--" + w.option + " is allow-listed but run has no such option");
    if (key_of.count(w.option)) out.push_back("--" + w.option + " is allow-listed and also sets " + key_of[w.option]);
    allowed.insert(w.option);
  }
  for (const auto& o : options)
    if (!key_of.count(o) && !allowed.count(o))
      out.push_back("run option --" + o + " has no config key (add one to config_keys(), or to "
                    "run_options_without_key() with the reason)");
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

TEST(ConfigSurface, EveryRunOptionIsAConfigKeyAndBack) {
  CLI::App app;
  RunCommandLine s;
  CLI::App* run = add_run_command(app, s);
  auto options = long_names(run);
  ASSERT_GT(options.size(), 20u) << "run's option list is unexpectedly short";
  EXPECT_TRUE(options.count("help")) << "the help flag is expected among run's options";
  auto bad = mismatches(options, config_keys(), run_options_without_key());
  EXPECT_TRUE(bad.empty()) << joined(bad);
}

// The check itself catches both directions of drift.
TEST(ConfigSurface, DriftIsDetected) {
  CLI::App app;
  RunCommandLine s;
  CLI::App* run = add_run_command(app, s);
  int extra = 0;
  run->add_option("--new-knob", extra, "an option someone added without a key");
  auto bad = mismatches(long_names(run), config_keys(), run_options_without_key());
  ASSERT_EQ(bad.size(), 1u) << joined(bad);
  EXPECT_NE(bad[0].find("--new-knob has no config key"), std::string::npos) << bad[0];

  auto keys = config_keys();
  keys.push_back({"new_key", {}});
  keys.push_back({"other_key", {"no-such-option"}});
  CLI::App clean_app;
  RunCommandLine clean;
  bad = mismatches(long_names(add_run_command(clean_app, clean)), keys, run_options_without_key());
  EXPECT_EQ(bad, (std::vector<std::string>{"config key new_key has no option",
                                           "config key other_key names --no-such-option, which run does not have"}));

  auto allowed = run_options_without_key();
  allowed.push_back({"tier", ""});
  bad = mismatches(long_names(run), config_keys(), allowed);
  EXPECT_NE(joined(bad).find("--tier is allow-listed without a reason"), std::string::npos) << joined(bad);
  EXPECT_NE(joined(bad).find("--tier is allow-listed and also sets tier"), std::string::npos) << joined(bad);
}

// The keys the parser accepts are the table's, nested ones under their parent.
TEST(ConfigSurface, ParserKeysComeFromTheTable) {
  EXPECT_EQ(sub_keys("heartbeat"), (std::vector<std::string>{"interval_sec", "prometheus_file"}));
  EXPECT_EQ(sub_keys("enforce"), (std::vector<std::string>{"mode", "deny_host_callers"}));
  EXPECT_EQ(sub_keys("audit"), (std::vector<std::string>{"enabled", "interval_sec"}));
  EXPECT_EQ(sub_keys("redaction"), (std::vector<std::string>{"extra_headers"}));
  EXPECT_TRUE(sub_keys("tier").empty());
  std::set<std::string> tops;
  for (const auto& t : top_level_keys()) EXPECT_TRUE(tops.insert(t).second) << "listed twice: " << t;
}

class ConfigFileSurface : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sw-surface-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `key: value`, a dotted key as a nested mapping.
  static std::string yaml_for(const std::string& key, const std::string& value) {
    auto dot = key.find('.');
    if (dot == std::string::npos) return key + ": " + value + "\n";
    return key.substr(0, dot) + ":\n  " + key.substr(dot + 1) + ": " + value + "\n";
  }

  // The error text of loading `text` ("" if it loads).
  std::string error_of(const std::string& text) {
    auto p = (dir_ / "c.yaml").string();
    std::ofstream(p) << text;
    try {
      load_agent_config(p);
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

// A key the table lists but nothing parses would be silently accepted: every
// key must reject a value no key takes (a mapping with an unknown key).
TEST_F(ConfigFileSurface, EveryKeyIsParsed) {
  for (const auto& k : config_keys()) {
    std::string err = error_of(yaml_for(k.key, "{zz_not_a_value: 1}"));
    EXPECT_FALSE(err.empty()) << k.key << " accepted a bogus value";
    EXPECT_EQ(err.find("internal error"), std::string::npos) << k.key << ": " << err;
  }
}

// The option and the key of each ranged value take and refuse the same
// numbers, with the same words.
TEST_F(ConfigFileSurface, CliAndFileShareEveryRange) {
  auto cli_error = [](const std::string& args) -> std::string {
    CLI::App app;
    RunCommandLine s;
    add_run_command(app, s);
    try {
      app.parse(args, false);
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    return "";
  };
  int checked = 0;
  for (const IntSpec& spec : int_specs()) {
    if (!spec.option) continue;  // output entry fields: file only
    checked++;
    std::vector<uint64_t> bad = {spec.max + 1};
    if (spec.min > 0) bad.push_back(spec.min - 1);
    for (uint64_t v : bad) {
      std::string why = value_error(spec, v);
      ASSERT_FALSE(why.empty()) << spec.key << " " << v;
      std::string cli = cli_error(std::string("run ") + spec.option + " " + std::to_string(v));
      EXPECT_NE(cli.find(why), std::string::npos) << spec.option << ": " << cli;
      std::string file = error_of(yaml_for(spec.key, std::to_string(v)));
      EXPECT_NE(file.find(std::string(spec.key) + ": " + why), std::string::npos) << spec.key << ": " << file;
    }
    for (uint64_t v : {spec.min, spec.max}) {
      EXPECT_EQ(cli_error(std::string("run ") + spec.option + " " + std::to_string(v)), "") << spec.option << " " << v;
      EXPECT_EQ(error_of(yaml_for(spec.key, std::to_string(v))), "") << spec.key << " " << v;
    }
    std::string words = cli_error(std::string("run ") + spec.option + " lots");
    EXPECT_NE(words.find(expected_text(spec) + ", found 'lots'"), std::string::npos) << words;
  }
  EXPECT_EQ(checked, 8);
  // Power of two, a decimal, and the choices.
  EXPECT_NE(cli_error("run --ringbuf-kb 5000").find("5000 is not a power of two"), std::string::npos);
  EXPECT_NE(error_of("ringbuf_kb: 5000\n").find("5000 is not a power of two"), std::string::npos);
  EXPECT_NE(cli_error("run --duration -1").find("-1 is out of range, expected a number >= 0"), std::string::npos)
      << cli_error("run --duration -1");
  EXPECT_EQ(cli_error("run --duration 0.5"), "");
  EXPECT_NE(cli_error("run --tier kprobe").find("unknown tier 'kprobe', expected one of auto, "), std::string::npos);
  EXPECT_NE(cli_error("run --severity-threshold loud").find("expected one of none, low, medium, high, critical"),
            std::string::npos);
  EXPECT_NE(cli_error("run --prometheus-file rel.prom").find("expected an absolute path"), std::string::npos);
  EXPECT_NE(cli_error("run --redact-header 'X Bad'").find("is not an HTTP header name"), std::string::npos);
}

// The annotated example shipped as /etc/sockwarden/config.yaml is valid.
TEST(ConfigSurface, PackagedExampleLoads) {
  AgentConfig c;
  ASSERT_NO_THROW(c = load_agent_config(std::string(SW_SOURCE_DIR) + "/packaging/config.yaml"));
  EXPECT_EQ(c.agent.flood_send_rate, 5000u);
  EXPECT_EQ(c.agent.flood_open_rate, 500u);
}

// docs/configuration.md names every key and every option of run.
TEST(ConfigSurface, EveryKeyIsDocumented) {
  std::ifstream in(std::string(SW_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md is missing";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const auto& k : config_keys()) {
    EXPECT_NE(doc.find("`" + k.key + "`"), std::string::npos) << "docs/configuration.md lacks `" << k.key << "`";
    for (const auto& o : k.options)
      EXPECT_NE(doc.find("`--" + o), std::string::npos) << "docs/configuration.md lacks `--" << o << "`";
  }
  for (const auto& w : run_options_without_key())
    EXPECT_NE(doc.find("`--" + w.option), std::string::npos) << "docs/configuration.md lacks `--" << w.option << "`";
}

}  // namespace
}  // namespace sockwarden
