// `sockwarden run` as a host agent, through the real binary: config file,
// --check-config, flag overrides, several outputs, SIGHUP reloads, heartbeat
// and the Prometheus textfile.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <memory>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

std::vector<json> json_lines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(json::parse(l));
  return out;
}

size_t count_action(const std::vector<json>& lines, const std::string& action, pid_t pid = 0) {
  size_t n = 0;
  for (const auto& j : lines)
    if (j["event"]["action"] == action && (pid == 0 || j["process"]["pid"] == pid)) n++;
  return n;
}

void write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".new";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A child that connects `n` times, `gap_ms` apart; returns its pid.
pid_t connect_loop(const std::string& sock, int n, int gap_ms) {
  return run_child([=] {
    for (int i = 0; i < n; i++) {
      int fd = connect_unix(sock);
      if (fd >= 0) close(fd);
      usleep(gap_ms * 1000);
    }
    usleep(600 * 1000);
    return 0;
  });
}

class AgentOutputsTest : public ::testing::Test {
 protected:
  std::string tier() const { return test_tiers().front(); }
  std::string config(const std::string& extra, const std::string& tier_name = "") {
    std::string p = dir_.path + "/config.yaml";
    write_file(p, "sockets: [" + sock_ + "]\nno_default_sockets: true\ntier: " +
                      (tier_name.empty() ? tier() : tier_name) + "\n" + extra);
    return p;
  }
  TempDir dir_;
  std::string sock_ = dir_.path + "/docker.sock";
};

TEST_F(AgentOutputsTest, CheckConfigExitCodes) {
  auto good = config("outputs:\n  - type: file\n    path: " + dir_.path + "/events.json\n");
  auto ok = run_binary("run --check-config --config " + good);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("config OK"), std::string::npos);

  std::string bad = dir_.path + "/bad.yaml";
  write_file(bad, "tier: auto\nheartbeat:\n  interval_sec: soon\n");
  auto r = run_binary("run --check-config --config " + bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(bad + ":3: heartbeat.interval_sec: expected a whole number"), std::string::npos) << r.out;

  // The expected-callers file it points to is checked too.
  write_file(bad, "expected_callers: " + dir_.path + "/nope.yaml\n");
  r = run_binary("run --check-config --config " + bad);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("nope.yaml"), std::string::npos) << r.out;

  r = run_binary("run --check-config --config " + dir_.path + "/absent.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("absent.yaml"), std::string::npos) << r.out;

  // The file must be valid on its own, even where a flag overrides the key.
  write_file(bad, "tier: bogus\n");
  EXPECT_EQ(run_binary("run --check-config --tier auto --config " + bad).exit_code, 2);
  // trace reads a config only when given one, with the same errors.
  r = run_binary("trace --config " + bad + " --duration 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(bad + ":1: tier: unknown tier 'bogus'"), std::string::npos) << r.out;
}

// Every mistake of a file in one go, each with FILE:LINE, for --check-config
// and for a plain `run`, which refuses to start.
TEST_F(AgentOutputsTest, CheckConfigListsEveryMistake) {
  std::string bad = dir_.path + "/bad.yaml";
  write_file(bad,
             "tier: auto\n"
             "bogus_key: 1\n"
             "payload_cap: lots\n"
             "ringbuf_kb: 2097152\n"
             "severity_threshold: loud\n"
             "heartbeat:\n"
             "  interval_sec: 86401\n"
             "flood_send_rate: 1000001\n");
  const std::vector<std::string> want = {
      bad + ":2: unknown key 'bogus_key'",
      bad + ":3: payload_cap: expected a whole number from 0 to 16384, found 'lots'",
      bad + ":4: ringbuf_kb: 2097152 is out of range, expected 4 to 1048576",
      bad + ":5: severity_threshold: 'loud' is not valid",
      bad + ":7: heartbeat.interval_sec: 86401 is out of range, expected 0 to 86400",
      bad + ":8: flood_send_rate: 1000001 is out of range, expected 0 to 1000000",
      bad + ": 6 mistakes",
  };
  for (const std::string& args : {"run --check-config --config " + bad, "run --config " + bad + " --duration 3"}) {
    auto r = run_binary(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
    for (const auto& w : want) EXPECT_NE(r.out.find(w), std::string::npos) << args << " lacks " << w << "\n" << r.out;
    EXPECT_EQ(r.out.find("capturing with tier"), std::string::npos) << "started despite a bad config:\n" << r.out;
    EXPECT_EQ(r.out.find("config OK"), std::string::npos) << r.out;
  }
  // The CLI refuses the same values with the same words.
  auto r = run_binary("run --check-config --flood-send-rate 1000001");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--flood-send-rate: 1000001 is out of range, expected 0 to 1000000"), std::string::npos) << r.out;
  // The once CLI-only settings are keys now, with the option still winning.
  std::string good = config("host_root: /\nflood_send_rate: 10\nflood_connect_rate: 0\nduration_sec: 1\n");
  r = run_binary("run --check-config --config " + good + " --flood-send-rate 20");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("config OK"), std::string::npos) << r.out;
}

TEST_F(AgentOutputsTest, SighupResyncsTheWatchedSockets) {
  Listener l(sock_);
  std::string other = dir_.path + "/other.sock";
  Listener l2(other);
  std::string events = dir_.path + "/events.json";
  std::string out = "outputs:\n  - type: file\n    path: " + events + "\n";
  auto cfg = config(out);
  pid_t before = 0, after = 0;
  auto r = run_binary_with_pid("run --config " + cfg + " --duration 4", [&](pid_t agent) {
    before = connect_loop(other, 1, 10);  // not watched yet
    std::string p = dir_.path + "/config.yaml";
    write_file(p, "sockets: [" + sock_ + ", " + other + "]\nno_default_sockets: true\ntier: " + tier() + "\n" + out);
    kill(agent, SIGHUP);
    usleep(1000 * 1000);
    after = connect_loop(other, 1, 10);
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto lines = json_lines(events);
  EXPECT_EQ(count_action(lines, "connect", before), 0u);
  EXPECT_EQ(count_action(lines, "connect", after), 1u) << r.out;
}

TEST_F(AgentOutputsTest, FlagsOverrideTheConfigFile) {
  Listener l(sock_);
  std::string from_file = dir_.path + "/from-file.json", from_flag = dir_.path + "/from-flag.json";
  auto cfg = config("payload_cap: 8\noutputs:\n  - type: file\n    path: " + from_file + "\n");
  pid_t child = 0;
  auto r = run_binary("run --config " + cfg + " --output " + from_flag + " --payload-cap 64 --duration 3", [&] {
    child = run_child([&] {
      int fd = connect_unix(sock_);
      std::string msg(40, 'a');
      if (fd < 0 || write(fd, msg.data(), msg.size()) != 40) return 1;
      usleep(600 * 1000);
      return 0;
    });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_FALSE(std::filesystem::exists(from_file));
  auto lines = json_lines(from_flag);
  EXPECT_EQ(count_action(lines, "connect", child), 1u) << r.out;
  for (const auto& j : lines) {
    if (j["event"]["action"] == "send" && j["process"]["pid"] == child) {
      EXPECT_EQ(j["sockwarden"]["payload"].get<std::string>().size(), 40u);  // 64 from the flag, not 8
    }
  }
}

TEST_F(AgentOutputsTest, FileSyslogHeartbeatAndPrometheus) {
  Listener l(sock_);
  std::string events = dir_.path + "/log/events.json", prom = dir_.path + "/sw.prom";
  std::string logsock = dir_.path + "/devlog";
  int srv = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, logsock.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{0, 200000};
  setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::vector<std::string> syslog;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    char buf[65536];
    while (!stop) {
      ssize_t n = recv(srv, buf, sizeof buf, 0);
      if (n > 0) syslog.emplace_back(buf, static_cast<size_t>(n));
    }
  });
  auto cfg = config("outputs:\n  - type: file\n    path: " + events + "\n    fsync: every_event\n" +
                    "  - type: syslog\n    path: " + logsock + "\n    facility: local2\n    app_name: swtest\n" +
                    "heartbeat:\n  interval_sec: 1\n  prometheus_file: " + prom + "\n");
  pid_t child = 0;
  auto r = run_binary("run --config " + cfg + " --duration 3.5", [&] { child = connect_loop(sock_, 3, 100); });
  stop = true;
  reader.join();
  close(srv);
  ASSERT_EQ(r.exit_code, 0) << r.out;

  auto lines = json_lines(events);
  EXPECT_EQ(count_action(lines, "connect", child), 3u) << r.out;
  std::vector<json> beats;
  for (const auto& j : lines)
    if (j["event"]["action"] == "heartbeat") beats.push_back(j);
  ASSERT_GE(beats.size(), 2u) << r.out;
  const json& hb = beats.back()["sockwarden"]["heartbeat"];
  EXPECT_EQ(beats.back()["event"]["kind"], "metric");
  EXPECT_EQ(hb["tier"], tier());
  EXPECT_GE(hb["uptime_sec"].get<int>(), 1);
  EXPECT_GE(hb["events"].get<int>(), 3);
  ASSERT_EQ(hb["outputs"].size(), 2u);
  EXPECT_EQ(hb["outputs"][0]["name"], events);
  EXPECT_EQ(hb["outputs"][1]["name"], "syslog");
  EXPECT_EQ(hb["outputs"][0]["dropped_queue_full"], 0);

  // The same events over syslog, RFC 5424 framed.
  size_t connects = 0, heartbeats = 0;
  for (const auto& m : syslog) {
    ASSERT_EQ(m.rfind("<" + std::to_string(18 * 8 + 6) + ">1 ", 0), 0u) << m;
    EXPECT_NE(m.find(" swtest "), std::string::npos) << m;
    if (m.find(" connect - {") != std::string::npos && m.find("\"pid\":" + std::to_string(child)) != std::string::npos)
      connects++;
    if (m.find(" heartbeat - {") != std::string::npos) heartbeats++;
  }
  EXPECT_EQ(connects, 3u);
  EXPECT_GE(heartbeats, 2u);

  std::string text = read_file(prom);
  EXPECT_NE(text.find("sockwarden_info{tier=\"" + tier() + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("sockwarden_events_total "), std::string::npos);
  EXPECT_NE(text.find("sockwarden_output_queue_depth{output=\"syslog\"} "), std::string::npos);
  EXPECT_NE(text.find("sockwarden_output_dropped_total{output=\"" + events + "\",reason=\"queue-full\"} 0"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(prom + ".tmp"));
}

TEST_F(AgentOutputsTest, SighupReloadUnderTrafficLosesNothing) {
  Listener l(sock_);
  std::string a = dir_.path + "/a.json", b = dir_.path + "/b.json";
  std::string out_a = "outputs:\n  - type: file\n    path: " + a + "\n";
  auto cfg = config(out_a);
  pid_t child = 0;
  const int kConnects = 40;
  auto r = run_binary_with_pid("run --config " + cfg + " --duration 6", [&](pid_t agent) {
    std::thread traffic([&] { child = connect_loop(sock_, kConnects, 75); });  // about 3 s
    usleep(700 * 1000);
    // Good reload: a second output appears.
    config(out_a + "  - type: file\n    path: " + b + "\nheartbeat: {interval_sec: 1}\n",
           tier() == "syscall-tp" ? "socket-tp" : "syscall-tp");
    kill(agent, SIGHUP);
    usleep(900 * 1000);
    // Bad reload: the running config stays.
    config(out_a + "  - type: file\n    path: relative.json\n");
    kill(agent, SIGHUP);
    traffic.join();
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto la = json_lines(a), lb = json_lines(b);
  EXPECT_EQ(count_action(la, "connect", child), static_cast<size_t>(kConnects)) << r.out;
  size_t in_b = count_action(lb, "connect", child);
  EXPECT_GT(in_b, 0u) << r.out;
  EXPECT_LT(in_b, static_cast<size_t>(kConnects));
  EXPECT_GE(count_action(lb, "heartbeat"), 1u);  // the reloaded heartbeat applies
  EXPECT_NE(r.out.find("tier changed, restart sockwarden to apply it"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reload failed, the running config stays in force"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(":8: path: expected an absolute file path"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists("relative.json"));
}

TEST_F(AgentOutputsTest, DiskFullDropsCountedAndRecovered) {
  Listener l(sock_);
  std::string logdir = dir_.path + "/small";
  std::filesystem::create_directories(logdir);
  ASSERT_EQ(system(("mount -t tmpfs -o size=64k tmpfs " + logdir).c_str()), 0);
  struct Unmount {
    std::string d;
    ~Unmount() { (void)!system(("umount -l " + d).c_str()); }
  } unmount{logdir};
  std::string events = logdir + "/events.json", spare = dir_.path + "/spare.json";
  write_file(logdir + "/filler", std::string(56 * 1024, 'f'));
  auto cfg = config("payload_cap: 2048\noutputs:\n  - type: file\n    path: " + events + "\n  - type: file\n    path: " +
                    spare + "\n");
  pid_t child = 0;
  auto r = run_binary("run --config " + cfg + " --duration 7", [&] {
    child = run_child([&] {
      for (int i = 0; i < 30; i++) {
        int fd = connect_unix(sock_);
        std::string msg(1500, 'x');
        if (fd >= 0) (void)!write(fd, msg.data(), msg.size());
        if (fd >= 0) close(fd);
        usleep(40 * 1000);
      }
      return 0;
    });
    usleep(1500 * 1000);
    std::filesystem::remove(logdir + "/filler");
    usleep(2000 * 1000);
    // After recovery: a few more events land in the file.
    connect_loop(sock_, 3, 100);
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // The other output saw everything, including the loss events.
  auto sp = json_lines(spare);
  EXPECT_EQ(count_action(sp, "send", child), 30u) << r.out;
  uint64_t lost = 0;
  for (const auto& j : sp)
    if (j["event"]["action"] == "lost" && j["sockwarden"]["lost"]["cause"] == "output-write-failed:" + events)
      lost += j["sockwarden"]["lost"]["count"].get<uint64_t>();
  EXPECT_GT(lost, 0u) << r.out;
  // The full file holds whole lines only, and got events again after space was freed.
  auto full = json_lines(events);  // throws on a torn line
  EXPECT_LT(count_action(full, "send", child), 30u);
  EXPECT_GE(count_action(full, "connect"), 3u);
  EXPECT_NE(r.out.find("writing again"), std::string::npos) << r.out;
}

// A datagram socket standing in for /dev/log, with a thread collecting what arrives.
class SyslogSink {
 public:
  explicit SyslogSink(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{0, 100000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    reader_ = std::thread([this] {
      char buf[65536];
      while (!stop_) {
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n > 0) messages_.emplace_back(buf, static_cast<size_t>(n));
      }
    });
  }
  // Like a syslog daemon going away: the socket is closed and its file removed.
  std::vector<std::string> close_and_unlink() {
    stop_ = true;
    reader_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
    return messages_;
  }
  ~SyslogSink() {
    if (!stop_) close_and_unlink();
  }
  bool bound() const { return bound_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  std::vector<std::string> messages_;
  std::thread reader_;
};

size_t syslog_connects_of(const std::vector<std::string>& messages, pid_t pid) {
  size_t n = 0;
  const std::string key = "\"pid\":" + std::to_string(pid);
  for (const auto& m : messages) {
    if (m.find(" connect - {") == std::string::npos) continue;
    size_t at = m.find(key);
    if (at != std::string::npos && !std::isdigit(static_cast<unsigned char>(m[at + key.size()]))) n++;
  }
  return n;
}

// The syslog daemon disappears (socket closed and removed) while the agent runs, then comes
// back: the other output keeps every event, the syslog drops are counted as loss events, and
// syslog delivery resumes by itself once the socket is back.
TEST_F(AgentOutputsTest, SyslogSocketGoneCountedAndRecovered) {
  Listener l(sock_);
  std::string events = dir_.path + "/events.json", logsock = dir_.path + "/devlog";
  auto first = std::make_unique<SyslogSink>(logsock);
  ASSERT_TRUE(first->bound());
  auto cfg = config("outputs:\n  - type: file\n    path: " + events + "\n  - type: syslog\n    path: " + logsock +
                    "\n");
  pid_t before = 0, during = 0, after = 0;
  std::vector<std::string> got_before, got_after;
  // About 12 s of traffic below (connect_loop waits 0.6 s after its last connect).
  auto r = run_binary("run --config " + cfg + " --duration 15", [&] {
    before = connect_loop(sock_, 3, 100);
    usleep(1200 * 1000);
    got_before = first->close_and_unlink();
    during = connect_loop(sock_, 8, 100);
    usleep(1500 * 1000);
    SyslogSink second(logsock);
    if (!second.bound()) return;
    // The writer retries with a backoff of at most 5 s; connect for longer than that.
    after = connect_loop(sock_, 20, 300);
    usleep(1500 * 1000);
    got_after = second.close_and_unlink();
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_NE(after, 0) << "could not bind the second syslog socket";
  auto lines = json_lines(events);
  EXPECT_EQ(count_action(lines, "connect", before), 3u) << r.out;
  EXPECT_EQ(count_action(lines, "connect", during), 8u) << r.out;
  EXPECT_EQ(count_action(lines, "connect", after), 20u) << r.out;
  EXPECT_EQ(syslog_connects_of(got_before, before), 3u);
  uint64_t lost = 0;
  for (const auto& j : lines)
    if (j["event"]["action"] == "lost" && (j["sockwarden"]["lost"]["cause"] == "output-write-failed:syslog" ||
                                          j["sockwarden"]["lost"]["cause"] == "output-queue-full:syslog"))
      lost += j["sockwarden"]["lost"]["count"].get<uint64_t>();
  EXPECT_GE(lost, 8u) << r.out;  // at least the 8 connects made while it was gone
  EXPECT_GE(syslog_connects_of(got_after, after), 1u) << r.out;
  EXPECT_NE(r.out.find("writing again"), std::string::npos) << r.out;
}

TEST_F(AgentOutputsTest, RemovedLogDirectoryIsRecreated) {
  Listener l(sock_);
  std::string events = dir_.path + "/var/log/sw/events.json";
  auto cfg = config("outputs:\n  - type: file\n    path: " + events + "\n");
  pid_t after = 0;
  auto r = run_binary("run --config " + cfg + " --duration 4", [&] {
    std::filesystem::remove_all(dir_.path + "/var");
    usleep(1500 * 1000);
    after = connect_loop(sock_, 2, 100);
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(count_action(json_lines(events), "connect", after), 2u) << r.out;
}

}  // namespace
