// The /proc side of existing-connection records: a fake proc tree (status,
// comm, cgroup, ns and fd links) and a fake cgroup2 tree as parameters.
#include "agent/existing_connections.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "events.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

class ExistingConnectionRecord : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw-existing-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    proc_ = root_ + "/proc";
    cg_ = root_ + "/cgroup";
    fs::create_directories(proc_ + "/4242/fd");
    fs::create_directories(proc_ + "/4242/ns");
    fs::create_directories(cg_ + "/docker/abc");
    write(proc_ + "/4242/status",
          "Name:\tdocker\nPPid:\t4000\nUid:\t1000\t1001\t1000\t1000\nGid:\t998\t998\t998\t998\n");
    write(proc_ + "/4242/comm", "docker\n");
    write(proc_ + "/4242/cgroup", "0::/docker/abc\n");
    fs::create_symlink("pid:[4026531836]", proc_ + "/4242/ns/pid");
    fs::create_symlink("mnt:[4026532001]", proc_ + "/4242/ns/mnt");
    fs::create_symlink("net:[4026531840]", proc_ + "/4242/ns/net");
    fs::create_symlink("/dev/null", proc_ + "/4242/fd/0");
    fs::create_symlink("socket:[111]", proc_ + "/4242/fd/3");
    fs::create_symlink("socket:[555666]", proc_ + "/4242/fd/7");
  }
  void TearDown() override { fs::remove_all(root_); }
  static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

  std::string root_, proc_, cg_;
};

TEST_F(ExistingConnectionRecord, ShapedLikeAConnectRecordFromProc) {
  ExistingClient c;
  c.watch_id = 3;
  c.listener_ino = 987654;
  c.listener_dev = (254u << 20) | 1u;
  c.client_ino = 555666;
  c.pid = 4242;
  RawEvent r;
  ASSERT_TRUE(existing_connection_record(c, proc_, cg_, SW_TIER_SOCKET_TP, 12345, r));
  EXPECT_EQ(r.kind, EventKind::Connect);
  EXPECT_EQ(r.tier, SW_TIER_SOCKET_TP);
  EXPECT_EQ(r.ts_boot_ns, 12345u);
  EXPECT_EQ(r.tgid, 4242u);
  EXPECT_EQ(r.pid, 4242u);
  EXPECT_EQ(r.ppid, 4000u);
  EXPECT_EQ(r.uid, 1000u);
  EXPECT_EQ(r.euid, 1001u);
  EXPECT_EQ(r.gid, 998u);
  EXPECT_EQ(r.comm, "docker");
  EXPECT_EQ(r.pidns, 4026531836u);
  EXPECT_EQ(r.mntns, 4026532001u);
  EXPECT_EQ(r.netns, 4026531840u);
  struct stat st {};
  ASSERT_EQ(stat((cg_ + "/docker/abc").c_str(), &st), 0);
  EXPECT_EQ(r.cgroup_id, st.st_ino);  // cgroup v2 id = the directory's inode
  EXPECT_EQ(r.watch_id, 3u);
  EXPECT_EQ(r.sock_ino, 987654u);
  EXPECT_EQ(r.sock_dev, (254u << 20) | 1u);
  EXPECT_EQ(r.client_sock_ino, 555666u);
  EXPECT_EQ(r.fd, 7);
  EXPECT_EQ(r.flags & SW_F_FD_UNKNOWN, 0u);
  EXPECT_TRUE(r.payload.empty());
}

TEST_F(ExistingConnectionRecord, FdNotFoundIsFlaggedAndGoneProcessIsSkipped) {
  ExistingClient c;
  c.client_ino = 999;
  c.pid = 4242;
  RawEvent r;
  ASSERT_TRUE(existing_connection_record(c, proc_, cg_, SW_TIER_SOCKET_TP, 1, r));
  EXPECT_EQ(r.fd, -1);
  EXPECT_NE(r.flags & SW_F_FD_UNKNOWN, 0u);

  c.pid = 5000;  // exited between the sock_diag dump and the /proc read
  EXPECT_FALSE(existing_connection_record(c, proc_, cg_, SW_TIER_SOCKET_TP, 1, r));
}

TEST_F(ExistingConnectionRecord, FdOfSocket) {
  EXPECT_EQ(fd_of_socket(proc_, 4242, 111), 3);
  EXPECT_EQ(fd_of_socket(proc_, 4242, 555666), 7);
  EXPECT_EQ(fd_of_socket(proc_, 4242, 1), -1);
  EXPECT_EQ(fd_of_socket(proc_, 777, 111), -1);
}

}  // namespace
}  // namespace sockwarden
