#include "enrich/event_builder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "events.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace sockwarden {
namespace {

constexpr int64_t kOffset = 1'700'000'000'000'000'000LL;  // 2023-11-14T22:13:20Z at boot
constexpr uint32_t kCurl = 300;
constexpr uint32_t kDockerd = 200;

uint64_t inode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

bool has_flag(const Event& e, const std::string& f) {
  return std::find(e.flags.begin(), e.flags.end(), f) != e.flags.end();
}

// A fake procfs and a fake cgroup2 tree (ids = directory inodes) in one temp dir.
class EventBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_eb_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    proc_ = tmp_ / "proc";
    cg_ = tmp_ / "cgroup";
    make_process(kCurl, "/usr/bin/curl", std::string("curl\0--unix-socket\0/var/run/docker.sock\0http://x/v1/info\0", 57),
                 "curl");
    make_process(kDockerd, "/usr/bin/dockerd", std::string("/usr/bin/dockerd\0-H\0fd://\0", 26), "dockerd");
    fs::create_directories(cg_ / "system.slice" / "docker-abc.scope");
    fs::create_directories(cg_ / "system.slice" / "docker.service");
    container_cg_ = inode_of(cg_ / "system.slice" / "docker-abc.scope");
    daemon_cg_ = inode_of(cg_ / "system.slice" / "docker.service");

    procs_ = std::make_unique<ProcessTable>(proc_.string());
    cgroups_ = std::make_unique<CgroupResolver>(cg_.string(), 64, 0ms);
    builder_ = std::make_unique<EventBuilder>(*procs_, *cgroups_, clock_, [](uint32_t id) -> std::string {
      if (id == 7) return "/var/run/docker.sock";
      if (id == 9) return "@abstract-daemon";
      return "";
    });
  }
  void TearDown() override {
    builder_.reset();
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }

  void make_process(uint32_t pid, const std::string& exe, const std::string& cmdline, const std::string& comm) {
    fs::path d = proc_ / std::to_string(pid);
    fs::create_directories(d);
    fs::create_symlink(exe, d / "exe");
    std::ofstream(d / "cmdline", std::ios::binary) << cmdline;
    std::ofstream(d / "comm") << comm << "\n";
    std::ofstream(d / "stat") << pid << " (" << comm << ") S 1 " << pid
                              << " 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 777 12345678 900 "
                                 "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n";
  }

  RawEvent raw(EventKind kind, uint32_t tgid = kCurl) {
    RawEvent r;
    r.kind = kind;
    r.tier = SW_TIER_SOCKET_TP;
    r.ts_boot_ns = 5'000'000'123ULL;
    r.tgid = tgid;
    r.pid = tgid + 1;
    r.ppid = 1;
    r.watch_id = 7;
    r.cgroup_id = container_cg_;
    r.client_sock_ino = 4242;
    r.comm = tgid == kCurl ? "curl" : "dockerd";
    return r;
  }

  fs::path tmp_, proc_, cg_;
  uint64_t container_cg_ = 0, daemon_cg_ = 0;
  BootClock clock_{kOffset};
  std::unique_ptr<ProcessTable> procs_;
  std::unique_ptr<CgroupResolver> cgroups_;
  std::unique_ptr<EventBuilder> builder_;
};

TEST_F(EventBuilderTest, ConnectSuccess) {
  auto e = builder_->build(raw(EventKind::Connect));
  EXPECT_EQ(e.action, "connect");
  EXPECT_EQ(e.outcome, "success");
  EXPECT_FALSE(e.error.has_value());
  EXPECT_EQ(e.tier, "socket-tp");
  EXPECT_EQ(e.socket_path, "/var/run/docker.sock");
  EXPECT_EQ(e.cgroup_path, "/system.slice/docker-abc.scope");
  EXPECT_EQ(e.realtime_ns, static_cast<uint64_t>(kOffset) + 5'000'000'123ULL);
  EXPECT_EQ(e.process->executable, "/usr/bin/curl");
  EXPECT_EQ(e.process->command_line, "curl --unix-socket /var/run/docker.sock http://x/v1/info");
  EXPECT_EQ(process_name(e), "curl");
  EXPECT_TRUE(e.flags.empty());
  EXPECT_EQ(e.lost, 0u);
  // The raw record travels along.
  EXPECT_EQ(e.raw.kind, EventKind::Connect);
  EXPECT_EQ(e.raw.tgid, kCurl);
  EXPECT_EQ(e.raw.client_sock_ino, 4242u);
  EXPECT_EQ(e.raw.watch_id, 7u);
}

TEST_F(EventBuilderTest, ConnectAttemptReportedAsSuccess) {
  auto e = builder_->build(raw(EventKind::ConnectAttempt), true);
  EXPECT_EQ(e.action, "connect");
  EXPECT_EQ(e.outcome, "success");
  EXPECT_FALSE(e.error.has_value());
  EXPECT_TRUE(e.flags.empty());
}

TEST_F(EventBuilderTest, ConnectAttemptFailureWithKnownErrno) {
  auto r = raw(EventKind::ConnectAttempt);
  r.tier = SW_TIER_SYSCALL_TP;
  r.flags = SW_F_RESULT_KNOWN;
  r.result = -13;
  auto e = builder_->build(std::move(r), false);
  EXPECT_EQ(e.action, "connect");
  EXPECT_EQ(e.outcome, "failure");
  ASSERT_TRUE(e.error.has_value());
  EXPECT_EQ(*e.error, "EACCES");
  EXPECT_FALSE(has_flag(e, "errno-unknown"));
  EXPECT_EQ(e.tier, "syscall-tp");
  EXPECT_EQ(e.socket_path, "/var/run/docker.sock");
  EXPECT_EQ(e.cgroup_path, "/system.slice/docker-abc.scope");
  EXPECT_EQ(e.realtime_ns, static_cast<uint64_t>(kOffset) + 5'000'000'123ULL);
  EXPECT_EQ(e.raw.result, -13);
}

TEST_F(EventBuilderTest, ConnectAttemptFailureWithUnknownErrno) {
  auto e = builder_->build(raw(EventKind::ConnectAttempt), false);
  EXPECT_EQ(e.action, "connect");
  EXPECT_EQ(e.outcome, "failure");
  ASSERT_TRUE(e.error.has_value());
  EXPECT_EQ(*e.error, "refused");
  EXPECT_TRUE(has_flag(e, "errno-unknown"));
  EXPECT_EQ(e.tier, "socket-tp");
}

TEST_F(EventBuilderTest, ConnectAttemptKnownZeroResultButNotReachedIsStillUnknownErrno) {
  auto r = raw(EventKind::ConnectAttempt);
  r.flags = SW_F_RESULT_KNOWN;
  r.result = 0;
  auto e = builder_->build(std::move(r), false);
  EXPECT_EQ(e.outcome, "failure");
  EXPECT_EQ(e.error, std::optional<std::string>("refused"));
  EXPECT_TRUE(has_flag(e, "errno-unknown"));
}

TEST_F(EventBuilderTest, SendSuccess) {
  auto r = raw(EventKind::Send);
  r.bytes = 83;
  r.payload = "GET /v1/info HTTP/1.1\r\n";
  auto e = builder_->build(std::move(r));
  EXPECT_EQ(e.action, "send");
  EXPECT_EQ(e.outcome, "success");
  EXPECT_FALSE(e.error.has_value());
  EXPECT_EQ(e.socket_path, "/var/run/docker.sock");
  EXPECT_EQ(e.raw.bytes, 83u);
  EXPECT_EQ(e.raw.payload, "GET /v1/info HTTP/1.1\r\n");

  // A known non-negative result (bytes written) is a success too.
  auto r2 = raw(EventKind::Send);
  r2.flags = SW_F_RESULT_KNOWN;
  r2.result = 83;
  EXPECT_EQ(builder_->build(std::move(r2)).outcome, "success");
}

TEST_F(EventBuilderTest, SendFailure) {
  auto r = raw(EventKind::Send);
  r.tier = SW_TIER_SYSCALL_TP;
  r.flags = SW_F_RESULT_KNOWN;
  r.result = -32;
  auto e = builder_->build(std::move(r));
  EXPECT_EQ(e.action, "send");
  EXPECT_EQ(e.outcome, "failure");
  EXPECT_EQ(e.error, std::optional<std::string>("EPIPE"));
  EXPECT_EQ(e.tier, "syscall-tp");

  // A negative result without SW_F_RESULT_KNOWN is not a failure (socket-tp: no result).
  auto r2 = raw(EventKind::Send);
  r2.result = -32;
  auto e2 = builder_->build(std::move(r2));
  EXPECT_EQ(e2.outcome, "success");
  EXPECT_FALSE(e2.error.has_value());
}

TEST_F(EventBuilderTest, ReplyFromTheDaemon) {
  auto r = raw(EventKind::Reply, kDockerd);
  r.cgroup_id = daemon_cg_;
  r.payload = "HTTP/1.1 200 OK\r\n";
  auto e = builder_->build(std::move(r));
  EXPECT_EQ(e.action, "reply");
  EXPECT_EQ(e.outcome, "success");
  EXPECT_FALSE(e.error.has_value());
  EXPECT_EQ(e.process->executable, "/usr/bin/dockerd");
  EXPECT_EQ(e.process->command_line, "/usr/bin/dockerd -H fd://");
  EXPECT_EQ(process_name(e), "dockerd");
  EXPECT_EQ(e.cgroup_path, "/system.slice/docker.service");
  EXPECT_EQ(e.socket_path, "/var/run/docker.sock");
}

TEST_F(EventBuilderTest, UnknownWatchCgroupAndProcessDegradeToEmpty) {
  auto r = raw(EventKind::Connect, 31337);  // not in the fake proc
  r.comm = "ghost";
  r.watch_id = 99;
  r.cgroup_id = 1;  // no such directory inode in the tree
  r.tier = 0;
  auto e = builder_->build(std::move(r));
  EXPECT_EQ(e.socket_path, "");
  EXPECT_EQ(e.cgroup_path, "");
  EXPECT_EQ(e.process->executable, "");
  EXPECT_EQ(e.process->command_line, "");
  EXPECT_EQ(process_name(e), "ghost");
  EXPECT_EQ(e.tier, "unknown");
}

TEST_F(EventBuilderTest, AbstractSocketPath) {
  auto r = raw(EventKind::Connect);
  r.watch_id = 9;
  r.flags = SW_F_ABSTRACT;
  EXPECT_EQ(builder_->build(std::move(r)).socket_path, "@abstract-daemon");
}

TEST_F(EventBuilderTest, RealtimeClampsAtZero) {
  BootClock negative(-10'000);
  EventBuilder b(*procs_, *cgroups_, negative, [](uint32_t) { return std::string(); });
  auto r = raw(EventKind::Connect);
  r.ts_boot_ns = 5'000;
  EXPECT_EQ(b.build(std::move(r)).realtime_ns, 0u);
  auto r2 = raw(EventKind::Connect);
  r2.ts_boot_ns = 15'000;
  EXPECT_EQ(b.build(std::move(r2)).realtime_ns, 5'000u);
}

TEST_F(EventBuilderTest, LostRecord) {
  auto e = builder_->lost(17, "ringbuf-full", 123456789);
  EXPECT_EQ(e.action, "lost");
  EXPECT_EQ(e.outcome, "unknown");
  EXPECT_EQ(e.lost, 17u);
  EXPECT_EQ(e.lost_cause, "ringbuf-full");
  EXPECT_EQ(e.realtime_ns, 123456789u);
  EXPECT_EQ(e.tier, "");
  EXPECT_EQ(e.socket_path, "");
  EXPECT_FALSE(e.error.has_value());
  EXPECT_EQ(process_name(e), "");
}

TEST(ErrnoName, KnownAndUnknown) {
  EXPECT_EQ(errno_name(EACCES), "EACCES");
  EXPECT_EQ(errno_name(-EACCES), "EACCES");
  EXPECT_EQ(errno_name(-EPIPE), "EPIPE");
  EXPECT_EQ(errno_name(-ECONNREFUSED), "ECONNREFUSED");
  EXPECT_EQ(errno_name(-ENOENT), "ENOENT");
  EXPECT_EQ(errno_name(-EAGAIN), "EAGAIN");
  EXPECT_EQ(errno_name(-EPERM), "EPERM");
  EXPECT_EQ(errno_name(200), "errno 200");
  EXPECT_EQ(errno_name(-200), "errno 200");
}

TEST(TierName, Names) {
  EXPECT_STREQ(tier_name(SW_TIER_SOCKET_TP), "socket-tp");
  EXPECT_STREQ(tier_name(SW_TIER_SYSCALL_TP), "syscall-tp");
  EXPECT_STREQ(tier_name(0), "unknown");
  EXPECT_STREQ(tier_name(77), "unknown");
}

}  // namespace
}  // namespace sockwarden
