// The relay flag from a temp tree standing in for /proc: fd symlinks to
// socket inodes, net/tcp, net/tcp6 and net/unix as the kernel prints them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "classify/relay_detector.h"

using namespace sockwarden;

namespace {

class RelayTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw-relay-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void proc(int pid, const std::vector<uint64_t>& sockets, const std::string& tcp, const std::string& unix_) {
    std::string dir = root_ + "/" + std::to_string(pid);
    std::filesystem::create_directories(dir + "/fd");
    std::filesystem::create_directories(dir + "/net");
    int fd = 3;
    for (uint64_t ino : sockets)
      ASSERT_EQ(symlink(("socket:[" + std::to_string(ino) + "]").c_str(), (dir + "/fd/" + std::to_string(fd++)).c_str()), 0);
    ASSERT_EQ(symlink("/dev/null", (dir + "/fd/0").c_str()), 0);
    std::ofstream(dir + "/net/tcp") << kTcpHeader << tcp;
    std::ofstream(dir + "/net/tcp6") << kTcpHeader;
    std::ofstream(dir + "/net/unix") << "Num       RefCount Protocol Flags    Type St Inode Path\n" << unix_;
  }
  static constexpr const char* kTcpHeader =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
  std::string root_;
};

// 127.0.0.1:2375 listening (inode 5001) and an unrelated listener of another process (5002).
const char* kTcp =
    "   0: 0100007F:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0 100 0 0 10 0\n"
    "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5002 1 0 100 0 0 10 0\n";
const char* kUnix =
    "0000000000000000: 00000002 00000000 00010000 0001 01 6001 /tmp/other.sock\n"
    "0000000000000000: 00000002 00000000 00010000 0001 01 6002 /run/docker.sock\n"
    "0000000000000000: 00000003 00000000 00000000 0001 03 6003 /run/docker.sock\n";

TEST_F(RelayTree, TcpListenerOfTheCallerIsItsRelaySource) {
  proc(100, {5001, 6003}, kTcp, kUnix);
  RelayDetector d(root_);
  d.set_watched_paths({"/run/docker.sock"});
  auto info = d.inspect(100, "/usr/local/bin/forwarder", std::chrono::steady_clock::now());
  EXPECT_EQ(info.listen, std::vector<std::string>({"tcp:127.0.0.1:2375"}));
  EXPECT_EQ(info.tool, "");
}

TEST_F(RelayTree, UnixListenerCountsButTheWatchedSocketItselfDoesNot) {
  proc(101, {6001, 6002}, kTcp, kUnix);
  RelayDetector d(root_);
  d.set_watched_paths({"/run/docker.sock"});
  auto info = d.inspect(101, "/opt/x", std::chrono::steady_clock::now());
  EXPECT_EQ(info.listen, std::vector<std::string>({"unix:/tmp/other.sock"}));
}

TEST_F(RelayTree, PlainClientIsNotARelay) {
  proc(102, {6003}, kTcp, kUnix);  // only its connection to the daemon
  RelayDetector d(root_);
  Event e;
  e.action = "send";
  e.raw.tgid = 102;
  e.process.edit().executable = "/usr/bin/docker";
  d.annotate(e, std::chrono::steady_clock::now());
  EXPECT_TRUE(e.flags.empty());
  EXPECT_FALSE(e.relay.has_value());
}

TEST_F(RelayTree, KnownToolIsARelayEvenWithoutAListener) {
  proc(103, {6003}, kTcp, kUnix);
  RelayDetector d(root_);
  Event e;
  e.action = "connect";
  e.raw.tgid = 103;
  e.process.edit().executable = "/usr/bin/socat";
  d.annotate(e, std::chrono::steady_clock::now());
  ASSERT_EQ(e.flags, std::vector<FlagName>({"relay"}));
  ASSERT_TRUE(e.relay.has_value());
  EXPECT_EQ(e.relay->tool, "socat");
  EXPECT_TRUE(e.relay->listen.empty());
}

TEST_F(RelayTree, ExpectedCallersAndReplyEventsAreLeftAlone) {
  proc(104, {5001}, kTcp, kUnix);
  RelayDetector d(root_);
  Event e;
  e.action = "send";
  e.raw.tgid = 104;
  e.expected_by = "exe:/usr/bin/dockerd";
  d.annotate(e, std::chrono::steady_clock::now());
  EXPECT_TRUE(e.flags.empty());
  Event r;
  r.action = "reply";
  r.raw.tgid = 104;
  d.annotate(r, std::chrono::steady_clock::now());
  EXPECT_TRUE(r.flags.empty());
}

TEST(RelayParse, UnixListenersNeedTheAcceptConFlag) {
  auto l = parse_unix_listeners(std::string("Num RefCount Protocol Flags Type St Inode Path\n") + kUnix +
                                "0000000000000000: 00000002 00000000 00010000 0001 01 6004 @abstract-name\n");
  EXPECT_EQ(l.size(), 3u);
  EXPECT_EQ(l[6001], "unix:/tmp/other.sock");
  EXPECT_EQ(l[6004], "unix:@abstract-name");
  EXPECT_EQ(l.count(6003), 0u);
  EXPECT_TRUE(is_known_relay_tool("/usr/bin/ncat"));
  EXPECT_FALSE(is_known_relay_tool("/usr/bin/docker"));
}

}  // namespace
