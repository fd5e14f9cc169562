// Attacker-chosen bytes on the way out: every JSON line stays valid UTF-8
// JSON (invalid bytes become U+FFFD, never an exception that ends the
// agent), and the text reports of audit and lint escape terminal controls.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/report_text.h"
#include "lint/report.h"
#include "format/ecs_json.h"
#include "format/safe_text.h"

namespace sockwarden {
namespace {

const std::string kBad = "\xff\xfe\xc3\x28\xed\xa0\x80\xf0\x9f";  // lone bytes, bad continuation, a surrogate, a cut 4-byte

TEST(HostileOutput, ValidUtf8ReplacesEveryInvalidSequence) {
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(valid_utf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
  std::string v = valid_utf8(kBad);
  EXPECT_NO_THROW((void)nlohmann::json(v).dump()) << "the strict serializer accepts the result";
  EXPECT_EQ(v.find('\xff'), std::string::npos);
}

// valid_utf8 and the serializer replace the same bytes with the same number
// of U+FFFD, so text cleaned first and text dumped directly read alike.
TEST(HostileOutput, ValidUtf8AgreesWithTheSerializer) {
  std::mt19937 rng(20);
  for (int round = 0; round < 5000; round++) {
    std::string s(rng() % 12, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 3 ? 0x80 + rng() % 0x80 : rng() % 0x80);
    EXPECT_EQ(safe_dump(nlohmann::json(valid_utf8(s))), safe_dump(nlohmann::json(s))) << round;
  }
}

TEST(HostileOutput, SafeDumpNeverThrows) {
  nlohmann::json j{{"name", kBad}, {"list", {kBad, "ok"}}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error) << "what the strict dump did";
  std::string s;
  ASSERT_NO_THROW(s = safe_dump(j));
  EXPECT_FALSE(nlohmann::json::parse(s, nullptr, false).is_discarded());
  nlohmann::ordered_json o{{"name", kBad}};
  ASSERT_NO_THROW(s = safe_dump(o, 2));
  EXPECT_FALSE(nlohmann::json::parse(s, nullptr, false).is_discarded());
}

TEST(HostileOutput, EscapeForTerminal) {
  EXPECT_EQ(escape_for_terminal("\x1b[2J\rroot\n"), "\\x1b[2J\\x0droot\\x0a");
  EXPECT_EQ(escape_for_terminal("a\tb\x7f"), "a\\x09b\\x7f");
  EXPECT_EQ(escape_for_terminal("csi\xc2\x9b" "31m"), "csi\\u009b31m") << "C1 CSI as UTF-8";
  EXPECT_EQ(escape_for_terminal("raw\x9b"), "raw\\x9b") << "C1 CSI as a lone byte";
  EXPECT_EQ(escape_for_terminal("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac") << "printable UTF-8 stays";
}

Event request_event(const std::string& bad) {
  Event e;
  e.action = "request";
  e.raw.comm = "dock\x1b" + bad;
  e.realtime_ns = 1;
  DecodedRequest r;
  r.protocol = "http/1.1";
  r.method = "POST";
  r.target = "/v1.43/containers/create?name=" + bad;
  r.path = "/containers/create";
  r.query = "name=" + bad;
  r.user_agent = bad;
  r.operation = "container-create";
  r.summary["name"] = bad;
  r.summary["image"] = "alpine" + bad;
  r.summary["cmd"] = nlohmann::ordered_json::array({bad, "sh"});
  r.add_risk("host-mount", "/" + bad);
  r.add_anomaly("odd-" + bad);
  e.request = std::move(r);
  return e;
}

// The reproduced crash: invalid UTF-8 in ?name=, the body summary, the
// user agent and risk details made the request line throw (type_error.316).
TEST(HostileOutput, RequestEventWithInvalidUtf8IsOneValidJsonLine) {
  Event e = request_event(kBad);
  std::string line;
  ASSERT_NO_THROW(line = to_json_line(e));
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(j["sockwarden"]["request"]["summary"]["name"], valid_utf8(kBad));
  EXPECT_EQ(j["url"]["query"], "name=" + valid_utf8(kBad));
}

// The writer's line stays canonical JSON on hostile strings (ESC, CR, C1
// controls, invalid UTF-8) in every member a caller chooses: exactly what
// nlohmann dumps for the parsed line, with U+FFFD for invalid bytes.
TEST(HostileOutput, WriterIsCanonicalOnHostileStrings) {
  Event e;
  e.action = "send";
  e.outcome = "success";
  e.realtime_ns = 1'795'380'397'123'456'789ULL;
  e.tier = "socket-tp";
  e.raw.comm = "\x1b]0;pwn\x07\r";
  e.raw.payload = "\xc2\x9b" "31m" + kBad;
  e.process.edit().executable = "/tmp/\x1b[2J" + kBad;
  e.process.edit().command_line = "a\rb\xc2\x85";
  e.process.edit().args = {kBad, "\x1b", "\xc2\x80\xc2\x9f"};
  e.socket_path = "/run/user/1000/\xff.sock";
  e.cgroup_path = "/x\r\n" + kBad;
  std::string line;
  ASSERT_NO_THROW(line = to_json_line(e));
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
  EXPECT_EQ(line, safe_dump(to_ecs_json(e)));
  EXPECT_EQ(to_ecs_json(e)["process"]["executable"], "/tmp/[2J" + valid_utf8(kBad));
}

TEST(HostileOutput, AuditTextReportEscapesControls) {
  audit::AuditReport r;
  r.hostname = "h";
  audit::ContainerPosture c;
  c.runtime = "docker";
  c.id = std::string(64, 'a');
  c.name = "web\x1b[1A\x1b[2K\rclean";
  c.image = "img\n[INFO] nothing found";
  r.containers.push_back(c);
  audit::Finding f;
  f.severity = audit::Severity::High;
  f.check = "privileged";
  f.title = "container " + c.name + ": privileged";
  f.evidence = {"exe /tmp/\x1b[8mhidden"};
  r.findings.push_back(f);
  r.warnings.push_back("w\r\x1b[2K");
  std::ostringstream out;
  audit::report_text(out, r);
  std::string s = out.str();
  EXPECT_EQ(s.find('\x1b'), std::string::npos) << s;
  EXPECT_EQ(s.find('\r'), std::string::npos) << s;
  EXPECT_EQ(s.find("\n[INFO] nothing found"), std::string::npos) << "a newline in a field cannot forge a line";
  EXPECT_NE(s.find("web\\x1b[1A"), std::string::npos) << s;
}

TEST(HostileOutput, LintTextReportEscapesControls) {
  lint::LintResult r;
  lint::LintFinding f;
  f.file = "compose\x1b[2K\r.yml";
  f.line = 3;
  f.rule_id = "SW-LINT-001";
  f.severity = lint::Severity::High;
  f.message = "mounts \x1b]8;;http://x\x07/var/run/docker.sock\nfake: line";
  r.findings.push_back(f);
  std::ostringstream out;
  lint::report_text(out, r);
  std::string s = out.str();
  EXPECT_EQ(s.find('\x1b'), std::string::npos) << s;
  EXPECT_EQ(s.find('\r'), std::string::npos) << s;
  EXPECT_EQ(s.find("\nfake: line"), std::string::npos) << s;
}

}  // namespace
}  // namespace sockwarden
