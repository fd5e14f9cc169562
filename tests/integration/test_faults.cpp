// Faults through the real binary, per tier: a 64 MiB write, malformed
// payloads (binary garbage, a non-HTTP request line, a broken HTTP/2
// preface), and a container cgroup that vanishes before the agent resolves
// it. The agent must neither crash nor drop these silently: every write is
// reported, and the heartbeat counters account for the records.
#include <fcntl.h>
#include <signal.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <cstring>
#include <random>
#include <string>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

class FaultTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u);
    sock_ = dir_.path + "/docker.sock";
    listener_ = std::make_unique<Listener>(sock_);
  }
  std::string agent_args(const std::string& duration) {
    return "run --no-default-sockets --socket " + sock_ + " --tier " + GetParam() + " --heartbeat 1 --duration " +
           duration;
  }
  TempDir dir_;
  std::string sock_;
  std::unique_ptr<Listener> listener_;
};

TEST_P(FaultTest, HugeAndMalformedPayloadsAreReportedWithoutACrash) {
  const size_t kHuge = 64u << 20;
  std::string garbage(4096, '\0');
  std::mt19937 rng(8);
  for (auto& c : garbage) c = static_cast<char>(rng());
  const std::vector<std::string> malformed = {
      garbage,
      "GARBAGE / NOTHTTP\r\n\x01\x02\r\n\r\n",
      std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string("\xff\xff\xff\x09\x00\x00\x00\x00\x01", 9) + "junk",
  };
  pid_t huge = 0;
  std::vector<pid_t> bad;
  auto r = run_binary(agent_args("5"), [&] {
    huge = spawn([&] {
      int fd = connect_unix(sock_);
      if (fd < 0) return 1;
      std::string big(kHuge, 'B');
      std::memcpy(big.data(), "POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\n\r\n", 45);
      size_t off = 0;
      while (off < big.size()) {
        ssize_t n = write(fd, big.data() + off, big.size() - off);
        if (n <= 0) return 2;
        off += static_cast<size_t>(n);
      }
      usleep(300 * 1000);
      return 0;
    });
    for (const auto& m : malformed)
      bad.push_back(spawn([&] {
        int fd = connect_unix(sock_);
        if (fd < 0) return 1;
        if (write(fd, m.data(), m.size()) != (ssize_t)m.size()) return 2;
        usleep(300 * 1000);
        return 0;
      }));
    EXPECT_EQ(reap(huge), 0);
    for (pid_t p : bad) EXPECT_EQ(reap(p), 0);
  });
  ASSERT_EQ(r.exit_code, 0) << "the agent must survive: " << r.out.substr(0, 2000);
  uint64_t huge_bytes = 0;
  for (const auto& e : with_action(r, "send", huge)) huge_bytes += e["sockwarden"]["bytes"].get<uint64_t>();
  EXPECT_EQ(huge_bytes, kHuge) << "every byte of the 64 MiB write is accounted for";
  for (size_t i = 0; i < bad.size(); i++) {
    auto sends = with_action(r, "send", bad[i]);
    ASSERT_EQ(sends.size(), 1u) << "malformed payload " << i;
    EXPECT_EQ(sends[0]["sockwarden"]["bytes"].get<uint64_t>(), malformed[i].size());
  }
  auto beats = with_action(r, "heartbeat");
  ASSERT_FALSE(beats.empty());
  EXPECT_EQ(beats.back()["sockwarden"]["heartbeat"]["decode_errors"], 0);
}

// The caller's container cgroup is removed right after its connect (the
// container stopped): the event is still reported with the cgroup id the
// kernel recorded; the path and container may be unknown, never a crash.
TEST_P(FaultTest, ContainerCgroupVanishingBeforeResolution) {
  CgroupTree tree(cgroup2_root());
  std::string id(64, 'c');
  std::string dir = tree.make("/docker/" + id);
  struct stat st {};
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  uint64_t cgroup_id = st.st_ino;
  pid_t caller = 0;
  auto r = run_binary(agent_args("3"), [&] {
    caller = spawn([&] {
      if (!join_cgroup(dir)) return 10;
      int fd = connect_unix(sock_);
      if (fd < 0) return 1;
      return write(fd, "GET /_ping HTTP/1.1\r\n\r\n", 23) == 23 ? 0 : 2;
    });
    EXPECT_EQ(reap(caller), 0);
    EXPECT_EQ(rmdir(dir.c_str()), 0) << "the container's cgroup goes away at once";
  });
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000);
  auto sends = with_action(r, "send", caller);
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0]["sockwarden"]["cgroup"]["id"].get<uint64_t>(), cgroup_id);
  RecordProperty("cgroup_path_after_removal", sends[0]["sockwarden"]["cgroup"]["path"].get<std::string>());
}

// kill -9 of a monitoring agent under load, then a restart: the new agent
// comes back, reports the connection still open as existing-connection and
// says that monitoring had a gap (agent-gap, the previous pid); a clean exit
// leaves no gap behind.
TEST_P(FaultTest, KilledMonitorAgentUnderLoadLeavesAnAgentGap) {
  std::string state = dir_.path + "/state";
  std::string args = "run --no-default-sockets --socket " + sock_ + " --tier " + GetParam() + " --state-dir " + state;
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  // Holds one connection across both agents and writes in a loop until told to stop.
  pid_t writer = spawn([&] {
    close(go[1]);
    int fd = connect_unix(sock_);
    if (fd < 0) return 1;
    fcntl(go[0], F_SETFL, O_NONBLOCK);
    char b;
    while (read(go[0], &b, 1) < 0) {
      if (write(fd, "GET /_ping HTTP/1.1\r\n\r\n", 23) != 23) return 2;
      usleep(1000);
    }
    return 0;
  });
  close(go[0]);
  pid_t killed = 0;
  auto first = run_binary_with_pid(args + " --duration 20", [&](pid_t agent) {
    killed = agent;
    usleep(500 * 1000);  // under load
    kill(agent, SIGKILL);
  });
  EXPECT_EQ(first.exit_code, -1) << first.out.substr(0, 2000);
  EXPECT_FALSE(with_action(first, "send", writer).empty());
  auto second = run_binary(args + " --duration 2");
  ASSERT_EQ(second.exit_code, 0) << second.out.substr(0, 2000);
  auto gaps = with_action(second, "agent-gap");
  ASSERT_EQ(gaps.size(), 1u) << second.out.substr(0, 2000);
  EXPECT_EQ(gaps[0]["event"]["kind"], "alert");
  EXPECT_EQ(gaps[0]["sockwarden"]["agent_gap"]["previous_agent_pid"], killed);
  EXPECT_TRUE(gaps[0]["event"]["start"].is_string());
  EXPECT_EQ(with_action(second, "existing-connection", writer).size(), 1u) << "the held connection";
  EXPECT_FALSE(with_action(second, "send", writer).empty());
  auto third = run_binary(args + " --duration 1");
  EXPECT_TRUE(with_action(third, "agent-gap").empty()) << "a clean exit leaves no gap";
  ASSERT_EQ(write(go[1], "s", 1), 1);
  close(go[1]);
  EXPECT_EQ(reap(writer), 0);
}

INSTANTIATE_TEST_SUITE_P(Tiers, FaultTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
