// SIEM delivery to real receivers, through the real binary (real BPF, the first test tier):
//   - a private rsyslogd (Debian's rsyslog: imuxsock on a private socket, mmjsonparse) gets
//     every event the agent also wrote to its file output, byte for byte, and parses each body
//     as JSON;
//   - rsyslogd restarted twice while the agent keeps sending (once straight away, once after
//     longer than the output's reconnect hold): every event the file output has is either
//     received or counted in a `lost` event for the syslog output, and nothing received is
//     also counted as definitely lost;
//   - promtool (Debian's prometheus) accepts the Prometheus textfile without a lint warning.
// A missing rsyslogd or promtool fails these tests: scripts/setup.sh --test installs both.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli_run.h"
#include "harness.h"
#include "rsyslog_rig.h"

using namespace swtest;
using nlohmann::json;

namespace {

const char* const kApp = "swsiem";

std::vector<std::string> raw_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::map<std::string, size_t> multiset(const std::vector<std::string>& lines) {
  std::map<std::string, size_t> m;
  for (const auto& l : lines) m[l]++;
  return m;
}

void write_config(const std::string& path, const std::string& text) {
  std::ofstream(path + ".new") << text;
  std::filesystem::rename(path + ".new", path);
}

// Sum of the `lost` events' counts for one cause.
uint64_t lost_count(const std::vector<std::string>& lines, const std::string& cause) {
  uint64_t n = 0;
  for (const auto& l : lines) {
    json j = json::parse(l);
    if (j["event"]["action"] == "lost" && j["sockwarden"]["lost"]["cause"] == cause)
      n += j["sockwarden"]["lost"]["count"].get<uint64_t>();
  }
  return n;
}

size_t count_action(const std::vector<std::string>& lines, const std::string& action, pid_t pid) {
  size_t n = 0;
  for (const auto& l : lines) {
    json j = json::parse(l);
    if (j["event"]["action"] == action && j["process"]["pid"] == pid) n++;
  }
  return n;
}

// `cmd` through sh; its exit code and its stdout+stderr.
int run_shell(const std::string& cmd, std::string& out) {
  out.clear();
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class SiemTest : public ::testing::Test {
 protected:
  std::string config(const std::string& outputs) {
    std::string p = dir_.path + "/config.yaml";
    write_config(p, "sockets: [" + sock_ + "]\nno_default_sockets: true\ntier: " + test_tiers().front() +
                        "\npayload_cap: 8192\n" + outputs);
    return p;
  }
  std::string outputs(const std::string& events, const std::string& logsock) {
    return "outputs:\n  - type: file\n    path: " + events + "\n  - type: syslog\n    path: " + logsock +
           "\n    facility: local3\n    app_name: " + kApp + "\nheartbeat:\n  interval_sec: 1\n";
  }
  TempDir dir_;
  std::string sock_ = dir_.path + "/docker.sock";
};

// Every event reaches rsyslog with its JSON intact: the same bytes as the file output's line,
// parsed by mmjsonparse, MSGID = event.action; one event with a 4 KiB binary payload (every
// byte value: escaped into ~16 KiB of JSON) included.
TEST_F(SiemTest, RsyslogReceivesEveryEventIntact) {
  Listener l(sock_);
  Rsyslog rs(dir_.path + "/rsyslog", kApp);
  std::string err = rs.start();
  ASSERT_EQ(err, "") << err;
  std::string events = dir_.path + "/events.json";
  auto cfg = config(outputs(events, rs.socket_path()));
  pid_t connects = 0, binary = 0;
  auto r = run_binary("run --config " + cfg + " --duration 3.5", [&] {
    binary = run_child([&] {
      int fd = connect_unix(sock_);
      if (fd < 0) return 1;
      std::string payload;
      for (int i = 0; i < 4096; i++) payload += static_cast<char>(i % 256);
      bool ok = write(fd, payload.data(), payload.size()) == static_cast<ssize_t>(payload.size());
      usleep(300 * 1000);
      close(fd);
      return ok ? 0 : 1;
    });
    connects = run_child([&] {
      for (int i = 0; i < 30; i++) {
        int fd = connect_unix(sock_);
        if (fd >= 0) close(fd);
        usleep(20 * 1000);
      }
      return 0;
    });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  usleep(300 * 1000);  // rsyslogd reads what is still queued in its socket
  EXPECT_EQ(rs.stop(), 0) << rs.log();

  auto sent = raw_lines(events), got = raw_lines(rs.events_path());
  ASSERT_FALSE(sent.empty()) << r.out;
  EXPECT_EQ(count_action(sent, "connect", connects), 30u) << r.out;
  ASSERT_EQ(count_action(sent, "send", binary), 1u) << r.out;
  size_t big = 0;
  for (const auto& s : sent) big = std::max(big, s.size());
  // Past rsyslog's default 8 KiB message size: cut mid-JSON without maxMessageSize.
  EXPECT_GT(big, 8192u) << "the binary payload's event should be large";
  EXPECT_EQ(got.size(), sent.size()) << r.out << rs.log();
  EXPECT_TRUE(multiset(got) == multiset(sent)) << "rsyslog's bodies differ from the file output's lines";
  for (const auto& g : got) EXPECT_TRUE(json::accept(g)) << g;
  EXPECT_EQ(raw_lines(rs.unparsed_path()).size(), 0u) << "messages rsyslog could not parse as JSON";
  // mmjsonparse's fields: MSGID is event.action, facility local3.
  auto fields = raw_lines(rs.fields_path());
  EXPECT_EQ(fields.size(), got.size());
  for (const auto& f : fields) {
    std::istringstream in(f);
    std::string app, msgid, action, facility, severity;
    in >> app >> msgid >> action >> facility >> severity;
    EXPECT_EQ(app, kApp) << f;
    EXPECT_EQ(msgid, action) << f;
    EXPECT_EQ(facility, "local3") << f;
  }
  EXPECT_EQ(lost_count(sent, "output-write-failed:syslog") + lost_count(sent, "output-queue-full:syslog") +
                lost_count(sent, "output-unconfirmed:syslog"),
            0u)
      << r.out;
}

// rsyslogd restarted twice while events flow (about 250/s): straight away (down for less
// than the output's 2 s reconnect hold: the held message and the queue are delivered once it is
// back) and after 3 s (longer: drops counted as output-write-failed). Datagrams rsyslogd had
// not read when it exited are counted as output-unconfirmed (an upper bound). The file output
// is the reference for what was sent.
TEST_F(SiemTest, RsyslogRestartsMidStreamLeaveNoUnreportedGap) {
  Listener l(sock_);
  Rsyslog rs(dir_.path + "/rsyslog", kApp);
  std::string err = rs.start();
  ASSERT_EQ(err, "") << err;
  std::string events = dir_.path + "/events.json";
  auto cfg = config(outputs(events, rs.socket_path()));
  std::string restart_errors;
  pid_t traffic = 0;
  auto r = run_binary("run --config " + cfg + " --duration 15", [&] {
    traffic = spawn([&] {
      auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(9500);
      while (std::chrono::steady_clock::now() < end) {  // about 250 connects/s
        int fd = connect_unix(sock_);
        if (fd >= 0) close(fd);
        usleep(4 * 1000);
      }
      return 0;
    });
    usleep(1500 * 1000);
    if (rs.stop() != 0) restart_errors += "first stop failed; ";
    restart_errors += rs.start();
    usleep(2500 * 1000);
    if (rs.stop() != 0) restart_errors += "second stop failed; ";
    usleep(3000 * 1000);
    restart_errors += rs.start();
    reap(traffic);
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  usleep(300 * 1000);
  EXPECT_EQ(rs.stop(), 0) << rs.log();
  ASSERT_EQ(restart_errors, "") << rs.log();

  auto sent = raw_lines(events), got = raw_lines(rs.events_path());
  EXPECT_GE(count_action(sent, "connect", traffic), 500u) << r.out;
  auto want = multiset(sent);
  size_t not_sent = 0;
  for (const auto& [line, n] : multiset(got))
    if (want[line] < n) not_sent += n - want[line];
  EXPECT_EQ(not_sent, 0u) << "rsyslog got lines the file output does not have (or more copies)";
  EXPECT_EQ(raw_lines(rs.unparsed_path()).size(), 0u);

  uint64_t failed = lost_count(sent, "output-write-failed:syslog"), full = lost_count(sent, "output-queue-full:syslog"),
           unconfirmed = lost_count(sent, "output-unconfirmed:syslog");
  uint64_t missing = sent.size() - got.size();
  std::printf("[ measured ] sent %zu, received %zu, missing %llu; lost: write-failed %llu, queue-full %llu, "
              "unconfirmed %llu\n",
              sent.size(), got.size(), static_cast<unsigned long long>(missing),
              static_cast<unsigned long long>(failed), static_cast<unsigned long long>(full),
              static_cast<unsigned long long>(unconfirmed));
  // No gap nothing reports: received + reported lost covers everything sent.
  EXPECT_GE(got.size() + failed + full + unconfirmed, sent.size()) << r.out;
  // Definite losses were never handed to rsyslog: none of them is among what it received.
  EXPECT_LE(got.size() + failed + full, sent.size());
  // The long outage (past the reconnect hold) did drop, and counted it.
  EXPECT_GT(failed + full, 0u) << r.out;
  EXPECT_NE(r.out.find("writing again"), std::string::npos) << r.out;
}

// The textfile after some traffic and output losses passes `promtool check metrics` (format
// and lint: HELP and TYPE, counter names ending in _total, base units) with no output.
TEST_F(SiemTest, PrometheusTextfilePassesPromtool) {
  const char* promtool = "/usr/bin/promtool";
  ASSERT_EQ(access(promtool, X_OK), 0)
      << "promtool not found: this test needs Debian's `prometheus` package (scripts/setup.sh --test installs it)";
  Listener l(sock_);
  std::string events = dir_.path + "/events with space.json", prom = dir_.path + "/sw.prom";
  // A syslog output with no receiver: its drops show up under sockwarden_lost_total.
  auto cfg = config("outputs:\n  - type: file\n    path: " + events + "\n  - type: syslog\n    path: " + dir_.path +
                    "/nobody.sock\nheartbeat:\n  interval_sec: 1\n  prometheus_file: " + prom + "\n");
  pid_t child = 0;
  auto r = run_binary("run --config " + cfg + " --duration 4", [&] {
    child = run_child([&] {
      for (int i = 0; i < 10; i++) {
        int fd = connect_unix(sock_);
        if (fd >= 0) (void)!write(fd, "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n", 32);
        if (fd >= 0) close(fd);
        usleep(50 * 1000);
      }
      return 0;
    });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_GT(child, 0);
  std::ifstream in(prom);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("sockwarden_lost_total{cause=\"output-write-failed:syslog\"} "), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("sockwarden_requests_total "), std::string::npos);
  std::string out;
  int rc = run_shell(std::string(promtool) + " check metrics < '" + prom + "'", out);
  EXPECT_EQ(rc, 0) << out << "\n" << text.str();
  EXPECT_EQ(out, "") << "promtool lint findings:\n" << out << "\n" << text.str();
}

}  // namespace
