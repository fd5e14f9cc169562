// Outputs: rotation, fsync modes, syslog framing, bounded queues, a full disk
// and a removed log directory, health text.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "capture/errors.h"
#include "sinks/fanout.h"
#include "sinks/file_output.h"
#include "sinks/health.h"
#include "sinks/syslog_output.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

OutputRecord record(const std::string& json, const std::string& action = "connect", int sev = 6) {
  OutputRecord r;
  r.json = LineText::copy_of(json);
  r.action = action;
  r.syslog_severity = sev;
  r.realtime_ns = 1700000000123456789ull;
  return r;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

template <class F>
bool wait_for(F&& cond, int ms = 5000) {
  for (int i = 0; i < ms / 10; i++) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

class OutputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sw-outputs-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    fs::remove_all(dir_);
  }
  OutputConfig file_cfg(const std::string& name = "events.json") {
    OutputConfig c;
    c.type = OutputConfig::Type::File;
    c.path = (dir_ / name).string();
    c.name = "file";
    return c;
  }
  fs::path dir_;
  bool mounted_ = false;
};

TEST_F(OutputsTest, RotatesBySizeAndKeepsMaxFiles) {
  auto c = file_cfg();
  c.max_size_bytes = 100;
  c.max_files = 2;
  FileOutput out(c);
  std::string line(39, 'x');  // 40 bytes with the newline: two per file
  for (int i = 0; i < 9; i++) ASSERT_TRUE(out.write(record(line.substr(0, 38) + std::to_string(i % 10))));
  out.close();
  EXPECT_EQ(lines_of(c.path).size(), 1u);  // 9 = 2 + 2 + 2 + 2 + 1
  EXPECT_EQ(lines_of(c.path + ".1").size(), 2u);
  EXPECT_EQ(lines_of(c.path + ".2").size(), 2u);
  EXPECT_FALSE(fs::exists(c.path + ".3"));
  EXPECT_EQ(lines_of(c.path)[0].back(), '8');
  EXPECT_EQ(lines_of(c.path + ".1")[1].back(), '7');
  EXPECT_EQ(lines_of(c.path + ".2")[0].back(), '4');
  for (auto& p : {c.path, c.path + ".1", c.path + ".2"}) EXPECT_LE(fs::file_size(p), 100u);
}

// The writer thread hands over everything queued at once: the batch must keep
// the order and rotate at exactly the same lines as one write per record.
TEST_F(OutputsTest, BatchWritesRotateLikeSingleWrites) {
  auto c = file_cfg();
  c.max_size_bytes = 100;
  c.max_files = 2;
  FileOutput out(c);
  std::string line(38, 'x');  // 40 bytes with the digit and the newline: two per file
  std::vector<OutputRecord> batch;
  for (int i = 0; i < 9; i++) batch.push_back(record(line + std::to_string(i)));
  EXPECT_EQ(out.write_batch(batch), 9u);
  out.close();
  ASSERT_EQ(lines_of(c.path).size(), 1u);  // 9 = 2 + 2 + 2 + 2 + 1
  ASSERT_EQ(lines_of(c.path + ".1").size(), 2u);
  ASSERT_EQ(lines_of(c.path + ".2").size(), 2u);
  EXPECT_FALSE(fs::exists(c.path + ".3"));
  EXPECT_EQ(lines_of(c.path)[0].back(), '8');
  EXPECT_EQ(lines_of(c.path + ".1")[0].back(), '6');
  EXPECT_EQ(lines_of(c.path + ".1")[1].back(), '7');
  EXPECT_EQ(lines_of(c.path + ".2")[0].back(), '4');
  for (auto& p : {c.path, c.path + ".1", c.path + ".2"}) EXPECT_LE(fs::file_size(p), 100u);
}

TEST_F(OutputsTest, BatchWriteWithoutRotationIsOneFileInOrder) {
  auto c = file_cfg();
  FileOutput out(c);
  std::vector<OutputRecord> batch;
  for (int i = 0; i < 1000; i++) batch.push_back(record("{\"n\":" + std::to_string(i) + "}"));
  EXPECT_EQ(out.write_batch(batch), 1000u);
  EXPECT_EQ(out.write_batch({}), 0u);
  out.close();
  auto lines = lines_of(c.path);
  ASSERT_EQ(lines.size(), 1000u);
  for (int i = 0; i < 1000; i++) EXPECT_EQ(lines[i], "{\"n\":" + std::to_string(i) + "}");
}

TEST_F(OutputsTest, FsyncModes) {
  auto c = file_cfg();
  c.fsync = FsyncMode::EveryEvent;
  {
    FileOutput out(c);
    for (int i = 0; i < 3; i++) out.write(record("{}"));
    EXPECT_EQ(out.fsyncs(), 3u);
  }
  c.fsync = FsyncMode::Never;
  {
    FileOutput out(c);
    for (int i = 0; i < 3; i++) out.write(record("{}"));
    out.idle();
    EXPECT_EQ(out.fsyncs(), 0u);
  }
  c.fsync = FsyncMode::Interval;
  c.fsync_interval_ms = 50;
  {
    FileOutput out(c);
    for (int i = 0; i < 3; i++) out.write(record("{}"));
    EXPECT_EQ(out.fsyncs(), 0u);
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    out.idle();
    EXPECT_EQ(out.fsyncs(), 1u);
    out.idle();  // nothing new written
    EXPECT_EQ(out.fsyncs(), 1u);
  }
  EXPECT_EQ(lines_of(c.path).size(), 9u);
}

TEST_F(OutputsTest, RemovedDirectoryIsRecreated) {
  auto c = file_cfg("logs/sub/events.json");
  Fanout fan({c});
  fan.submit(record("{\"n\":1}"));
  ASSERT_TRUE(wait_for([&] { return lines_of(c.path).size() == 1; }));
  fs::remove_all(dir_ / "logs");
  // The writer notices within about a second and reopens the path.
  ASSERT_TRUE(wait_for([&] { return fs::exists(c.path); }));
  fan.submit(record("{\"n\":2}"));
  ASSERT_TRUE(wait_for([&] { return lines_of(c.path).size() == 1; }));
  EXPECT_EQ(lines_of(c.path)[0], "{\"n\":2}");
}

TEST_F(OutputsTest, FullQueueDropsAndCountsPerOutput) {
  // A syslog output with no listener and a tiny queue: it drops, stdout-like
  // outputs are unaffected.
  OutputConfig slow;
  slow.type = OutputConfig::Type::Syslog;
  slow.name = "syslog";
  slow.socket_path = (dir_ / "nobody.sock").string();
  slow.queue_size = 2;
  auto f = file_cfg();
  Fanout fan({slow, f});
  for (int i = 0; i < 200; i++) fan.submit(record("{}"));
  ASSERT_TRUE(wait_for([&] { return lines_of(f.path).size() == 200; }));
  ASSERT_TRUE(wait_for([&] {
    auto c = fan.counters()[0];
    return c.dropped_queue_full + c.dropped_write_failed == 200;
  }));
  auto counters = fan.counters();
  ASSERT_EQ(counters.size(), 2u);
  EXPECT_EQ(counters[0].name, "syslog");
  EXPECT_EQ(counters[0].written, 0u);
  EXPECT_EQ(counters[1].written, 200u);
  EXPECT_EQ(counters[1].dropped_queue_full, 0u);
  auto losses = fan.take_losses();
  uint64_t total = 0;
  for (auto& [cause, n] : losses) {
    EXPECT_TRUE(cause == "output-queue-full:syslog" || cause == "output-write-failed:syslog") << cause;
    total += n;
  }
  EXPECT_GT(total, 0u);
  fan.stop();
}

TEST_F(OutputsTest, SyslogRfc5424OverADatagramSocket) {
  std::string path = (dir_ / "log.sock").string();
  int srv = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  OutputConfig c;
  c.type = OutputConfig::Type::Syslog;
  c.socket_path = path;
  c.facility = syslog_facility_code("local3");
  c.app_name = "sockwarden";
  SyslogOutput out(c);
  ASSERT_TRUE(out.write(record("{\"a\":1}", "request", 2)));
  char buf[4096];
  ssize_t n = ::recv(srv, buf, sizeof buf, 0);
  ::close(srv);
  ASSERT_GT(n, 0);
  std::string msg(buf, static_cast<size_t>(n));
  std::smatch m;
  ASSERT_TRUE(std::regex_match(msg, m, std::regex(R"(<(\d+)>1 (\S+) (\S+) (\S+) (\d+) (\S+) - (.*))"))) << msg;
  EXPECT_EQ(m[1], std::to_string(19 * 8 + 2));
  EXPECT_EQ(m[2], "2023-11-14T22:13:20.123456Z");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_EQ(m[3], host);
  EXPECT_EQ(m[4], "sockwarden");
  EXPECT_EQ(m[5], std::to_string(getpid()));
  EXPECT_EQ(m[6], "request");
  EXPECT_EQ(m[7], "{\"a\":1}");
}

// A bound datagram socket standing in for a syslog daemon; -1 if bind fails.
int bind_dgram(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The receiver exits without reading: the kernel discards its queue without telling the
// sender, so every message sent since it last read is counted as unconfirmed.
TEST_F(OutputsTest, SyslogCountsWhatAnExitedReceiverHadNotRead) {
  std::string path = (dir_ / "log.sock").string();
  int srv = bind_dgram(path);
  ASSERT_GE(srv, 0);
  OutputConfig c;
  c.type = OutputConfig::Type::Syslog;
  c.socket_path = path;
  c.reconnect_hold_ms = 200;
  SyslogOutput out(c);
  char buf[4096];
  ASSERT_TRUE(out.write(record("{\"n\":0}")));
  ASSERT_GT(::recv(srv, buf, sizeof buf, 0), 0);  // read: not counted later
  for (int i = 1; i <= 5; i++) ASSERT_TRUE(out.write(record("{\"n\":" + std::to_string(i) + "}")));
  EXPECT_EQ(out.take_unconfirmed(), 0u);
  ::close(srv);  // exits with 5 unread
  ::unlink(path.c_str());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(out.write(record("{\"n\":6}")));  // held for the reconnect hold, then dropped
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
  EXPECT_EQ(out.take_unconfirmed(), 5u);
  EXPECT_EQ(out.take_unconfirmed(), 0u);
  // Dropped fast while failing, until a retry finds a receiver again.
  t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(out.write(record("{\"n\":7}")));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
}

// The receiver restarts (new socket at the same path) within the hold: the held message goes
// to the new one; of the old connection only the last message, not known to be read, counts.
TEST_F(OutputsTest, SyslogReconnectsToARestartedReceiverWithinTheHold) {
  std::string path = (dir_ / "log.sock").string();
  int srv = bind_dgram(path);
  ASSERT_GE(srv, 0);
  OutputConfig c;
  c.type = OutputConfig::Type::Syslog;
  c.socket_path = path;
  c.reconnect_hold_ms = 3000;
  SyslogOutput out(c);
  char buf[4096];
  for (int i = 0; i < 3; i++) {
    ASSERT_TRUE(out.write(record("{\"n\":" + std::to_string(i) + "}")));
    ASSERT_GT(::recv(srv, buf, sizeof buf, 0), 0);
  }
  ::close(srv);
  ::unlink(path.c_str());
  int again = -1;
  std::thread restart([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    again = bind_dgram(path);
  });
  EXPECT_TRUE(out.write(record("{\"n\":3}")));
  restart.join();
  ASSERT_GE(again, 0);
  ssize_t n = ::recv(again, buf, sizeof buf, MSG_DONTWAIT);
  ::close(again);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buf, static_cast<size_t>(n)).find("{\"n\":3}"), std::string::npos);
  EXPECT_EQ(out.take_unconfirmed(), 1u);
}

TEST(SyslogFacility, Names) {
  EXPECT_EQ(syslog_facility_code("user"), 1);
  EXPECT_EQ(syslog_facility_code("daemon"), 3);
  EXPECT_EQ(syslog_facility_code("local7"), 23);
  EXPECT_EQ(syslog_facility_code("local8"), -1);
}

// Needs root (mount): a 64 KiB tmpfs fills up; writes fail and are counted,
// the file stays whole lines, and writing resumes once space is freed.
TEST_F(OutputsTest, DiskFullIsSurvived) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  ASSERT_EQ(::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=64k"), 0) << strerror(errno);
  mounted_ = true;
  {
    std::ofstream filler(dir_ / "filler");
    filler << std::string(60 * 1024, 'f');
  }
  auto c = file_cfg();
  Fanout fan({c});
  std::string line(999, 'e');
  for (int i = 0; i < 20; i++) fan.submit(record(line));
  ASSERT_TRUE(wait_for([&] {
    auto cs = fan.counters();
    return cs[0].written + cs[0].dropped_write_failed == 20;
  }));
  auto cs = fan.counters();
  EXPECT_GT(cs[0].dropped_write_failed, 0u);
  auto losses = fan.take_losses();
  ASSERT_FALSE(losses.empty());
  EXPECT_EQ(losses[0].first, "output-write-failed:file");
  EXPECT_EQ(losses[0].second, cs[0].dropped_write_failed);
  for (const auto& l : lines_of(c.path)) EXPECT_EQ(l, line);  // no half lines
  const uint64_t written_before = cs[0].written;
  fs::remove(dir_ / "filler");
  // Retries back off up to 1 s; keep offering events until one lands.
  ASSERT_TRUE(wait_for(
      [&] {
        fan.submit(record(line));
        return fan.counters()[0].written > written_before;
      },
      5000));
  fan.stop();
  for (const auto& l : lines_of(c.path)) EXPECT_EQ(l, line);
}

TEST(Health, PrometheusTextAndHeartbeat) {
  HealthSnapshot h;
  h.realtime_ns = 1700000000000000000ull;
  h.uptime_sec = 12.5;
  h.tier = "lsm";
  h.enforcement = "monitor";
  h.events = 42;
  h.kernel_records = 50;
  h.decode_errors = 1;
  h.replies_unseen = 6;
  h.lost_by_cause = {{"ringbuf-full", 3}, {"output-queue-full:syslog", 2}};
  OutputCounters o;
  o.name = "/var/log/x.json";
  o.written = 40;
  o.dropped_queue_full = 1;
  o.dropped_write_failed = 1;
  o.queue_depth = 5;
  o.queue_capacity = 8192;
  h.outputs = {o};
  std::string t = prometheus_text(h);
  EXPECT_NE(t.find("sockwarden_info{tier=\"lsm\",enforcement=\"monitor\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("sockwarden_events_total 42\n"), std::string::npos);
  EXPECT_NE(t.find("sockwarden_replies_unseen_total 6\n"), std::string::npos);
  EXPECT_NE(t.find("sockwarden_uptime_seconds 12.5\n"), std::string::npos);
  EXPECT_NE(t.find("sockwarden_lost_total{cause=\"ringbuf-full\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("sockwarden_output_dropped_total{output=\"/var/log/x.json\",reason=\"queue-full\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("sockwarden_output_queue_depth{output=\"/var/log/x.json\"} 5\n"), std::string::npos);
  EXPECT_NE(t.find("sockwarden_output_dropped_total{output=\"/var/log/x.json\",reason=\"unconfirmed\"} 0\n"),
            std::string::npos);
  EXPECT_NE(t.find("# TYPE sockwarden_events_total counter\n"), std::string::npos);
  auto j = nlohmann::json::parse(heartbeat_json(h));
  EXPECT_EQ(j["event"]["action"], "heartbeat");
  EXPECT_EQ(j["event"]["kind"], "metric");
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["events"], 42);
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["replies_unseen"], 6);
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["lost"]["ringbuf-full"], 3);
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["lost_total"], 5);
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["outputs"][0]["queue_depth"], 5);
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["tier"], "lsm");
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["uptime_sec"], 12);
  EXPECT_EQ(j["sockwarden"]["heartbeat"]["audit"]["runs"], 0);  // continuous audit off

  HealthSnapshot a = h;
  a.audit_runs = 7;
  a.audit_errors = 1;
  a.audit_findings = 3;
  a.audit_events = 4;
  auto ja = nlohmann::json::parse(heartbeat_json(a));
  EXPECT_EQ(ja["sockwarden"]["heartbeat"]["audit"],
            (nlohmann::json{{"runs", 7}, {"errors", 1}, {"findings", 3}, {"events", 4}}));
  std::string ta = prometheus_text(a);
  EXPECT_NE(ta.find("sockwarden_audit_runs_total 7\n"), std::string::npos);
  EXPECT_NE(ta.find("sockwarden_audit_errors_total 1\n"), std::string::npos);
  EXPECT_NE(ta.find("sockwarden_audit_findings 3\n"), std::string::npos);
  EXPECT_NE(ta.find("sockwarden_audit_events_total 4\n"), std::string::npos);

  auto dir = fs::temp_directory_path() / ("sw-prom-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto p = (dir / "sw.prom").string();
  ASSERT_EQ(write_file_atomically(p, t), 0);
  std::ifstream in(p);
  std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back, t);
  EXPECT_FALSE(fs::exists(p + ".tmp"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sockwarden

// run's sink: request events under severity_threshold are skipped, the rest
// serialised once for every output.
#include "classify/redactor.h"
#include "agent/outputs_sink.h"

namespace sockwarden {
namespace {

TEST_F(OutputsTest, SeverityThresholdSkipsLowRequests) {
  AgentConfig cfg;
  cfg.outputs = {file_cfg("a.json"), file_cfg("b.json")};
  cfg.outputs[1].name = "b";
  cfg.severity_threshold = "high";
  cfg.heartbeat.interval_sec = 0;
  {
    OutputsSink sink(cfg);
    Event low, high, connect;
    low.action = high.action = "request";
    low.severity = "low";
    low.severity_score = 21;
    high.severity = "high";
    high.severity_score = 73;
    connect.action = "connect";
    low.request.emplace();
    high.request.emplace();
    sink.on_event(low);
    sink.on_event(high);
    sink.on_event(connect);
    RunStats stats;
    auto h = sink.snapshot(stats);
    EXPECT_EQ(h.below_threshold, 1u);
    EXPECT_EQ(h.events, 2u);
    sink.on_exit(stats);
  }
  for (const char* name : {"a.json", "b.json"}) {
    auto lines = lines_of(dir_ / name);
    ASSERT_EQ(lines.size(), 2u) << name;
    EXPECT_NE(lines[0].find("\"severity\":73"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("\"action\":\"connect\""), std::string::npos) << lines[1];
  }
}

// Audit findings (and their resolutions) pass the same threshold as requests.
TEST_F(OutputsTest, SeverityThresholdAppliesToAuditFindings) {
  AgentConfig cfg;
  cfg.outputs = {file_cfg("a.json")};
  cfg.severity_threshold = "high";
  cfg.heartbeat.interval_sec = 0;
  {
    OutputsSink sink(cfg);
    Event info, critical, resolved_low;
    info.action = critical.action = "audit-finding";
    resolved_low.action = "audit-finding-resolved";
    info.severity_score = 0;
    resolved_low.severity_score = 21;
    critical.severity_score = 99;
    for (Event* e : {&info, &critical, &resolved_low}) e->finding.emplace().rule = "socket-mounted";
    sink.on_event(info);
    sink.on_event(critical);
    sink.on_event(resolved_low);
    RunStats stats;
    EXPECT_EQ(sink.snapshot(stats).below_threshold, 2u);
    sink.on_exit(stats);
  }
  auto lines = lines_of(dir_ / "a.json");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"severity\":99"), std::string::npos) << lines[0];
}

TEST(Redaction, ExtraHeadersFromTheConfig) {
  std::string req = "GET / HTTP/1.1\r\nX-Api-Key: s3cret\r\n\r\n";
  EXPECT_FALSE(redact_payload(req).redacted);
  set_extra_secret_headers({"X-API-KEY"});
  auto r = redact_payload(req);
  set_extra_secret_headers({});
  EXPECT_TRUE(r.redacted);
  EXPECT_EQ(r.payload, "GET / HTTP/1.1\r\nX-Api-Key: [REDACTED]\r\n\r\n");
}

}  // namespace
}  // namespace sockwarden

namespace sockwarden {
namespace {

TEST_F(OutputsTest, ReconfigureKeepsRunningOutputsWhenANewOneCannotOpen) {
  auto a = file_cfg("a.json");
  Fanout fan({a});
  fan.submit(record("{\"n\":1}"));
  auto bad = file_cfg("b.json");
  bad.name = "bad";
  bad.path = "/dev/null/b.json";  // below a non-directory: cannot be created
  EXPECT_THROW(fan.reconfigure({a, bad}), UserError);
  fan.submit(record("{\"n\":2}"));
  ASSERT_EQ(fan.counters().size(), 1u);
  auto b = file_cfg("b.json");
  b.name = "b";
  fan.reconfigure({a, b});  // a is kept (same config), b is new
  fan.submit(record("{\"n\":3}"));
  fan.stop();
  EXPECT_EQ(lines_of(dir_ / "a.json"), (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}));
  EXPECT_EQ(lines_of(dir_ / "b.json"), (std::vector<std::string>{"{\"n\":3}"}));
}

}  // namespace
}  // namespace sockwarden
