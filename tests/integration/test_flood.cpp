// Flood fairness through the real binary, per tier: one process floods a
// watched socket (a million tiny writes, or thousands of connects) while a
// different process (other uid, other cgroup) sends a privileged container
// create. The victim's connect, send and decoded request must all be there,
// and the flood must be summarised (flood-suppressed events naming the
// flooder, counters in the heartbeat) instead of drowning the output.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

const std::string kCreate =
    "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
    "Content-Length: 81\r\n\r\n"
    "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/:/host\"]},\"Cmd\":[]}";

class FloodTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u);
    ASSERT_EQ(kCreate.size() - kCreate.find("\r\n\r\n") - 4, 81u);
    sock_ = dir_.path + "/docker.sock";
    listener_ = std::make_unique<Listener>(sock_);
    // The victim runs as nobody: like a docker group member, it may connect.
    ASSERT_EQ(chmod(dir_.path.c_str(), 0755), 0);
    ASSERT_EQ(chmod(sock_.c_str(), 0666), 0);
  }

  // The victim: another uid and cgroup, connects and sends the create once.
  pid_t start_victim() {
    victim_cg_ = "/sw-flood-victim-" + std::to_string(getpid());
    std::string dir = cgroups_.make(victim_cg_);
    return spawn([this, dir] {
      if (!join_cgroup(dir)) return 10;
      if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) return 11;
      int fd = connect_unix(sock_);
      if (fd < 0) return 12;
      if (write(fd, kCreate.data(), kCreate.size()) != (ssize_t)kCreate.size()) return 13;
      usleep(800 * 1000);  // alive while the agent resolves it
      close(fd);
      return 0;
    });
  }

  // run_binary_until's stop: everything expect_victim_and_summary looks for is out (the flooder's
  // summary and a heartbeat counting it come a little after the flood).
  swtest::Until victim_and_summary_out(const pid_t& victim, const pid_t& flooder) {
    return [&victim, &flooder](const std::vector<json>& lines) {
      bool beat = false;  // the last heartbeat counts suppressed operations
      for (const auto& j : lines)
        if (is_event(j, "heartbeat")) beat = j["sockwarden"]["heartbeat"].value("flood_suppressed", 0) > 0;
      return beat && seen("connect", victim)(lines) && seen("send", victim)(lines) &&
             seen("request", victim)(lines) && seen("flood-suppressed", flooder)(lines);
    };
  }

  // Asserts the victim's events survived and the flooder was summarised.
  void expect_victim_and_summary(const swtest::Run& r, pid_t victim, pid_t flooder, const char* counter) {
    auto connects = with_action(r, "connect", victim);
    ASSERT_EQ(connects.size(), 1u) << "victim's connect lost in the flood";
    EXPECT_EQ(connects[0]["user"]["id"], "65534");
    EXPECT_EQ(connects[0]["sockwarden"]["cgroup"]["path"], victim_cg_);
    auto sends = with_action(r, "send", victim);
    ASSERT_EQ(sends.size(), 1u) << "victim's send lost in the flood";
    EXPECT_NE(sends[0]["sockwarden"]["payload"].get<std::string>().find("Privileged"), std::string::npos);
    auto reqs = with_action(r, "request", victim);
    ASSERT_EQ(reqs.size(), 1u);
    const json& q = reqs[0]["sockwarden"]["request"];
    EXPECT_EQ(q["operation"], "container-create");
    auto flags = q["risk_flags"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(flags.begin(), flags.end(), "privileged"), flags.end());
    EXPECT_NE(std::find(flags.begin(), flags.end(), "host-mount"), flags.end());
    EXPECT_FALSE(q["unparsed_body"].get<bool>());

    auto floods = with_action(r, "flood-suppressed", flooder);
    ASSERT_FALSE(floods.empty()) << "no flood-suppressed event names the flooder";
    uint64_t suppressed = 0;
    for (const auto& f : floods) suppressed += f["sockwarden"]["flood"][counter].get<uint64_t>();
    EXPECT_GT(suppressed, 0u);
    EXPECT_EQ(floods[0]["event"]["kind"], "alert");
    EXPECT_TRUE(with_action(r, "flood-suppressed", victim).empty()) << "the victim must keep its own budget";
    // Summarised, not drowned: far fewer flooder events than flood operations.
    size_t flooder_events = with_action(r, "send", flooder).size() + with_action(r, "connect", flooder).size();
    RecordProperty("flooder_events", static_cast<int>(flooder_events));
    RecordProperty("flooder_suppressed", static_cast<int>(suppressed));
    auto beats = with_action(r, "heartbeat");
    ASSERT_FALSE(beats.empty());
    EXPECT_GT(beats.back()["sockwarden"]["heartbeat"]["flood_suppressed"].get<uint64_t>(), 0u);
  }

  std::string agent_args(int duration) {
    // Budgets below the defaults: the same mechanism, and the admitted flood
    // stays small enough to parse in the 1 GiB vmtest guest (the defaults let
    // ~50,000 events through in 8 s: ~500 MB of parsed JSON in this process).
    return "run --no-default-sockets --socket " + sock_ + " --tier " + GetParam() +
           " --flood-send-rate 500 --flood-connect-rate 100 --heartbeat 1 --duration " + std::to_string(duration);
  }

  TempDir dir_;
  std::string sock_;
  std::unique_ptr<Listener> listener_;
  CgroupTree cgroups_{cgroup2_root()};
  std::string victim_cg_;
};

// One process, one connection, up to a million 1-byte writes (at most 4 s).
TEST_P(FloodTest, TinyWriteFloodCannotHideAnotherCallersPrivilegedCreate) {
  pid_t flooder = 0, victim = 0;
  int flooder_rc = -1, victim_rc = -1;
  auto r = run_binary_until(agent_args(12), [&](pid_t) {
    flooder = spawn([this] {
      int fd = connect_unix(sock_);
      if (fd < 0) return 1;
      auto end = std::chrono::steady_clock::now() + std::chrono::seconds(4);
      for (int i = 0; i < 1000000; i++) {
        if (write(fd, "x", 1) != 1) return 2;
        if ((i & 1023) == 0 && std::chrono::steady_clock::now() > end) break;
      }
      usleep(500 * 1000);
      return 0;
    });
    usleep(500 * 1000);  // the flood is under way (its burst long spent)
    victim = start_victim();
    victim_rc = reap(victim);
    flooder_rc = reap(flooder);
  }, victim_and_summary_out(victim, flooder));
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000);
  ASSERT_EQ(flooder_rc, 0);
  ASSERT_EQ(victim_rc, 0);
  expect_victim_and_summary(r, victim, flooder, "suppressed_sends");
}

// One process opening thousands of connections, each with a small write.
TEST_P(FloodTest, ConnectFloodCannotHideAnotherCallersPrivilegedCreate) {
  pid_t flooder = 0, victim = 0;
  int flooder_rc = -1, victim_rc = -1;
  auto r = run_binary_until(agent_args(12), [&](pid_t) {
    flooder = spawn([this] {
      auto end = std::chrono::steady_clock::now() + std::chrono::seconds(4);
      for (int i = 0; i < 5000 && std::chrono::steady_clock::now() < end; i++) {
        int fd = connect_unix(sock_);
        if (fd < 0) return 1;
        if (write(fd, "GET /_ping HTTP/1.1\r\n\r\n", 23) != 23) return 2;
        close(fd);
      }
      usleep(500 * 1000);
      return 0;
    });
    usleep(500 * 1000);
    victim = start_victim();
    victim_rc = reap(victim);
    flooder_rc = reap(flooder);
  }, victim_and_summary_out(victim, flooder));
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000);
  ASSERT_EQ(flooder_rc, 0);
  ASSERT_EQ(victim_rc, 0);
  expect_victim_and_summary(r, victim, flooder, "suppressed_connects");
}

INSTANTIATE_TEST_SUITE_P(Tiers, FloodTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
