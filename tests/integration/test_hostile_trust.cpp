// Forgeries against the running agent (issue 20, "trust only what attackers
// cannot write"): each test tries one through the real binary and checks the
// agent neither trusts it nor stops reporting.
//   - a container (or another mount namespace) runs its client as ".../runc":
//     under --enforce that inode must not be allow-listed by the default rules;
//   - in monitor mode the same /tmp/runc in a container is unexpected-caller;
//   - a process named "sockwarden" holding the dead agent's pid must not
//     suppress agent-gap; a FIFO planted as the marker must not block the start;
//   - a symlink planted at the --output path is refused, its target untouched;
//   - a process named "dockerd" (not root's dockerd binary) whose
//     --config-file points at a user's file must not name containers.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_run.h"
#include "enforce/enforcement_marker.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char kPing[] = "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n";
const char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";

// A plain request from a host process: the agent must still report it.
pid_t ordinary_request(const std::string& sock) {
  return run_child([&] {
    int fd = connect_unix(sock);
    if (fd < 0) return 1;
    int rc = write(fd, kPing, sizeof kPing - 1) == static_cast<ssize_t>(sizeof kPing - 1) ? 0 : 2;
    usleep(200 * 1000);
    close(fd);
    return rc;
  });
}

bool reported_request(const Run& r, pid_t pid) {
  for (const auto& e : with_action(r, "request", pid))
    if (e.dump().find("_ping") != std::string::npos) return true;
  return false;
}

void copy_exe(const std::string& from, const std::string& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::permissions(to, fs::perms(0755));
}

class HostileTrustEnforce : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(cgroup2_root().empty());
    container_ = tree_.make("/sw-hostile-" + std::to_string(getpid()) + "/docker-" + std::string(64, 'f') + ".scope");
    sock_ = dir_.path + "/docker.sock";
    runc_ = dir_.path + "/tmp/runc";
    fs::create_directories(dir_.path + "/tmp");
    copy_exe("/usr/bin/curl", runc_);  // "the container's docker client", renamed
  }
  // Runs the copied client, blocked reading a pipe, in CGROUP (or a new
  // mount namespace): the process whose exe the policy compiler sees.
  pid_t start_holder(const std::string& cgroup, bool new_mntns, int* stdin_w) {
    int p[2];
    if (pipe(p) != 0) return -1;
    pid_t pid = spawn([&] {
      close(p[1]);
      if (!cgroup.empty() && !join_cgroup(cgroup)) return 10;
      if (new_mntns && unshare(CLONE_NEWNS) != 0) return 11;
      dup2(p[0], 0);
      execl(runc_.c_str(), "runc", "-s", "-o", "/dev/null", "file:///dev/stdin", static_cast<char*>(nullptr));
      return 12;
    });
    close(p[0]);
    *stdin_w = p[1];
    return pid;
  }
  // The copied client's exit code connecting from CGROUP (7: could not connect).
  int client_connect(const std::string& cgroup) { return reap(start_client(cgroup)); }
  pid_t start_client(const std::string& cgroup) {
    return spawn([&] {
      if (!cgroup.empty() && !join_cgroup(cgroup)) return 10;
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(runc_.c_str(), "runc", "-s", "--max-time", "3", "--unix-socket", sock_.c_str(), "http://d/_ping",
            static_cast<char*>(nullptr));
      return 12;
    });
  }
  std::string agent_args(const std::string& extra) const {
    return "run --enforce --no-default-sockets --socket " + sock_ + " --tier " + GetParam() + " --state-dir " +
           dir_.path + "/state " + extra;
  }

  TempDir dir_;
  CgroupTree tree_{cgroup2_root()};
  std::string container_, sock_, runc_;
};

// The container copies its client to /tmp/runc and keeps one running: the
// default "*/runc" rule must not lend it the allow-list, so its next connect
// from the container is still denied. The agent keeps reporting.
TEST_P(HostileTrustEnforce, ContainerClientNamedRuncIsNotAllowListed) {
  Listener l(sock_);
  l.set_reply(kOk);
  int holder_in = -1, denied_rc = -1, host_rc = -1;
  pid_t holder = -1, ping = -1;
  auto r = run_binary(agent_args("--duration 5"), [&] {
    holder = start_holder(container_, false, &holder_in);
    // Several policy recompiles (every 500 ms) while the holder runs.
    std::this_thread::sleep_for(std::chrono::milliseconds(1800));
    denied_rc = client_connect(container_);
    host_rc = client_connect("");  // control: the copy works, host callers are allowed
    ping = ordinary_request(sock_);
  });
  close(holder_in);
  reap(holder);
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 3000);
  EXPECT_EQ(host_rc, 0) << "control: the copied client itself works";
  EXPECT_EQ(denied_rc, 7) << "the copied client connected from the container: it was allow-listed";
  EXPECT_TRUE(reported_request(r, ping)) << r.out.substr(0, 3000);
}

// The same copy run by a host-cgroup process in its own mount namespace
// (unshare -m: its /tmp/runc is whatever it mounted there). With only an
// exe rule, a container caller running that inode must stay denied.
TEST_P(HostileTrustEnforce, RuncFromAnotherMountNamespaceIsNotAllowListed) {
  Listener l(sock_);
  l.set_reply(kOk);
  int holder_in = -1, rc = -1;
  pid_t holder = -1;
  for (bool foreign : {false, true}) {
    auto r = run_binary(agent_args("--no-default-rules --expect exe:*/runc --duration 4"), [&] {
      holder = start_holder("", foreign, &holder_in);
      std::this_thread::sleep_for(std::chrono::milliseconds(1800));
      rc = client_connect(container_);
    });
    close(holder_in);
    reap(holder);
    ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 3000);
    if (foreign)
      EXPECT_EQ(rc, 7) << "an exe inode lent by a foreign mount namespace allowed a container caller";
    else  // control: root's own file run by a host process is what exe rules are for
      EXPECT_EQ(rc, 0) << "a root-owned runc run on the host is allow-listed";
  }
}

// Monitor mode, same forgery: the copy at /tmp/runc connecting from the
// container matches the default "*/runc" rule by path only. It must be
// flagged unexpected-caller; the same binary run from the host (control) is
// expected by that rule.
TEST_P(HostileTrustEnforce, MonitorFlagsContainerClientNamedRunc) {
  Listener l(sock_);
  l.set_reply(kOk);
  pid_t from_container = -1, from_host = -1;
  int container_rc = -1, host_rc = -1;
  auto r = run_binary("run --no-default-sockets --socket " + sock_ + " --tier " + GetParam() + " --state-dir " +
                          dir_.path + "/state --duration 3",
                      [&] {
                        from_container = start_client(container_);
                        container_rc = reap(from_container);
                        from_host = start_client("");
                        host_rc = reap(from_host);
                      });
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 3000);
  ASSERT_EQ(container_rc, 0);
  ASSERT_EQ(host_rc, 0);
  auto flags_of = [&](pid_t pid) {
    auto ev = with_action(r, "request", pid);
    return ev.empty() ? json() : ev[0];
  };
  json c = flags_of(from_container);
  ASSERT_FALSE(c.is_null()) << r.out.substr(0, 3000);
  auto cf = c["sockwarden"]["flags"];
  EXPECT_NE(std::find(cf.begin(), cf.end(), "container-originated"), cf.end()) << c.dump();
  EXPECT_NE(std::find(cf.begin(), cf.end(), "unexpected-caller"), cf.end()) << c.dump();
  EXPECT_FALSE(c["sockwarden"].contains("expected_by")) << c.dump();

  json h = flags_of(from_host);
  ASSERT_FALSE(h.is_null()) << r.out.substr(0, 3000);
  auto hf = h["sockwarden"].value("flags", json::array());
  EXPECT_EQ(std::find(hf.begin(), hf.end(), "unexpected-caller"), hf.end()) << h.dump();
  EXPECT_EQ(h["sockwarden"].value("expected_by", ""), "exe:*/runc") << h.dump();
}

std::vector<std::string> enforcing_tiers() {
  auto tiers = test_tiers();
  tiers.erase(std::remove(tiers.begin(), tiers.end(), "syscall-tp"), tiers.end());
  return tiers;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HostileTrustEnforce);
INSTANTIATE_TEST_SUITE_P(Tiers, HostileTrustEnforce, ::testing::ValuesIn(enforcing_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

class HostileTrust : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    sock_ = dir_.path + "/docker.sock";
    state_ = dir_.path + "/state";
    fs::create_directories(state_);
  }
  std::string args(const std::string& extra) const {
    return "run --no-default-sockets --socket " + sock_ + " --tier " + GetParam() + " --state-dir " + state_ + " " +
           extra;
  }
  // A dockerd data root under the test's directory holding one container, ID, named NAME.
  std::string data_root_with(const std::string& dir, const std::string& id, const std::string& name,
                             const std::string& image) const {
    std::string root = dir_.path + "/" + dir;
    fs::create_directories(root + "/containers/" + id);
    std::ofstream(root + "/containers/" + id + "/config.v2.json")
        << R"({"Name":"/)" << name << R"(","Config":{"Image":")" << image << R"("}})";
    return root;
  }
  // A copy of /bin/sh named dockerd (its owner is the test's to set); the test's directory
  // readable by all, so a process running as nobody can exec it.
  std::string dockerd_binary() const {
    fs::create_directories(dir_.path + "/bin");
    std::string path = dir_.path + "/bin/dockerd";
    copy_exe("/bin/sh", path);
    chmod(dir_.path.c_str(), 0755);
    return path;
  }
  // A caller in cgroup CG (a container's) sends one request on the socket; its pid.
  pid_t ping_from_cgroup(const std::string& cg) const {
    return run_child([&] {
      if (!join_cgroup(cg)) return 10;
      int fd = connect_unix(sock_);
      if (fd < 0) return 1;
      int rc = write(fd, kPing, sizeof kPing - 1) == static_cast<ssize_t>(sizeof kPing - 1) ? 0 : 2;
      usleep(200 * 1000);
      return rc;
    });
  }
  TempDir dir_;
  std::string sock_, state_;
};

// The old agent (pid P) died; a process that calls itself sockwarden now
// holds pid P. The marker's start time does not match it: agent-gap.
TEST_P(HostileTrust, ImpostorWithTheOldPidDoesNotHideTheGap) {
  Listener l(sock_);
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t impostor = spawn([&] {
    close(go[1]);
    prctl(PR_SET_NAME, "sockwarden");
    char c;
    return read(go[0], &c, 1) >= 0 ? 0 : 1;
  });
  close(go[0]);
  uint64_t start = 0;
  for (int i = 0; i < 50 && start == 0; i++) {
    start = sockwarden::process_start_time("/proc", static_cast<uint32_t>(impostor));
    usleep(10000);
  }
  ASSERT_NE(start, 0u);
  // The dead agent had this pid but started earlier.
  std::ofstream(state_ + "/running") << impostor << " " << (start - 1) << "\n";
  pid_t ping = -1;
  auto r = run_binary(args("--duration 2"), [&] { ping = ordinary_request(sock_); });
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 3000);
  auto gaps = with_action(r, "agent-gap");
  ASSERT_EQ(gaps.size(), 1u) << r.out.substr(0, 3000);
  EXPECT_EQ(gaps[0]["sockwarden"]["agent_gap"]["previous_agent_pid"], impostor);
  EXPECT_TRUE(reported_request(r, ping));

  // Control: the same process recorded with its true start time is taken for
  // a live agent sharing the state dir, and no gap is claimed.
  std::ofstream(state_ + "/running") << impostor << " " << start << "\n";
  auto r2 = run_binary(args("--duration 1"));
  EXPECT_TRUE(with_action(r2, "agent-gap").empty()) << r2.out.substr(0, 3000);
  ASSERT_EQ(write(go[1], "x", 1), 1);
  close(go[1]);
  reap(impostor);
}

// A FIFO planted as the marker: the agent neither blocks on it nor follows
// it; it starts, replaces it, and reports requests.
TEST_P(HostileTrust, FifoPlantedAsStateMarkerDoesNotBlock) {
  Listener l(sock_);
  ASSERT_EQ(mkfifo((state_ + "/running").c_str(), 0600), 0);
  pid_t ping = -1;
  auto r = run_binary(args("--duration 2"), [&] { ping = ordinary_request(sock_); });
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 3000);
  EXPECT_TRUE(reported_request(r, ping)) << r.out.substr(0, 3000);
}

// --output at a symlink (say to /etc/shadow) is refused at start; the target
// is untouched.
TEST_P(HostileTrust, SymlinkedOutputFileIsRefused) {
  Listener l(sock_);
  std::string victim = dir_.path + "/victim";
  std::ofstream(victim) << "precious\n";
  std::string link = dir_.path + "/events.json";
  ASSERT_EQ(symlink(victim.c_str(), link.c_str()), 0);
  auto r = run_binary(args("--duration 1 --output " + link));
  EXPECT_EQ(r.exit_code, 2) << r.out.substr(0, 3000);
  std::ifstream in(victim);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "precious\n");

  // A symlinked directory on the way (logs -> a directory of the attacker's
  // choosing) is refused too, with the link named, and nothing is created there.
  fs::create_directories(dir_.path + "/elsewhere");
  ASSERT_EQ(symlink((dir_.path + "/elsewhere").c_str(), (dir_.path + "/logs").c_str()), 0);
  auto r2 = run_binary(args("--duration 1 --output " + dir_.path + "/logs/events.json"));
  EXPECT_EQ(r2.exit_code, 2) << r2.out.substr(0, 3000);
  EXPECT_NE(r2.out.find(dir_.path + "/logs is a symbolic link"), std::string::npos) << r2.out.substr(0, 3000);
  EXPECT_TRUE(fs::is_empty(dir_.path + "/elsewhere"));
}

// Any user can run a process whose comm is "dockerd" with a --config-file of
// theirs whose data-root names forged containers. It is not root's dockerd
// binary (a copy owned by nobody, run as nobody): its config is never read,
// so the forged name never labels a real container's caller.
TEST_P(HostileTrust, FakeDockerdConfigFileNamesNoContainer) {
  Listener l(sock_);
  const std::string id(64, 'd');
  std::string fake_root = data_root_with("fake-root", id, "forged-name", "forged/image:1");
  std::string daemon_json = dir_.path + "/daemon.json";
  std::ofstream(daemon_json) << R"({"data-root":")" << fake_root << R"("})";
  std::string fake = dockerd_binary();
  CgroupTree tree(cgroup2_root());
  std::string cg = tree.make("/sw-fakedockerd-" + std::to_string(getpid()) + "/docker-" + id + ".scope");
  // as_user: the copy is nobody's and runs as nobody (the forgery); else
  // root's own dockerd-named binary run by root (the control: such a daemon
  // is trusted, which shows the test can see a forged name at all).
  for (bool as_user : {true, false}) {
    ASSERT_EQ(chown(fake.c_str(), as_user ? 65534 : 0, as_user ? 65534 : 0), 0);
    pid_t dockerd = spawn([&] {
      if (as_user && (setgid(65534) != 0 || setuid(65534) != 0)) return 10;
      execl(fake.c_str(), "dockerd", "-c", "sleep 8; :", "--config-file", daemon_json.c_str(),
            static_cast<char*>(nullptr));
      return 12;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    pid_t caller = -1;
    auto r = run_binary(args("--duration 2"), [&] { caller = ping_from_cgroup(cg); });
    kill(dockerd, SIGKILL);
    reap(dockerd);
    ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 3000);
    ASSERT_FALSE(with_action(r, "request", caller).empty()) << r.out.substr(0, 3000);
    if (as_user) {
      EXPECT_EQ(r.out.find("forged-name"), std::string::npos) << "the fake dockerd's data root named a container";
      EXPECT_EQ(r.out.find("forged/image"), std::string::npos);
    } else {
      EXPECT_NE(r.out.find("forged-name"), std::string::npos) << "control: root's dockerd names its containers";
    }
  }
}

// The agent looks for the running daemons again when the kernel reports a daemon's exec
// (agent/runtime_daemon_watch.h), not on a timer: a dockerd started after the agent names its
// containers at once. The caller connects ~1.5 s after the daemon's exec; the agent's
// backstop scan comes only after 60 s (and its old timer after 5 s), so the name can only
// come from the exec record. Root's own dockerd-named binary, run by root: a trusted daemon
// (HostileTrust.FakeDockerdConfigFileNamesNoContainer: the forged one is never trusted).
TEST_P(HostileTrust, DockerdStartedAfterTheAgentNamesItsContainers) {
  Listener l(sock_);
  const std::string id(64, 'e');
  std::string data_root = data_root_with("late-root", id, "late-daemon-name", "late/image:1");
  std::string daemon = dockerd_binary();
  ASSERT_EQ(chown(daemon.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(daemon.c_str(), 0755), 0);
  CgroupTree tree(cgroup2_root());
  std::string cg = tree.make("/sw-latedockerd-" + std::to_string(getpid()) + "/docker-" + id + ".scope");
  pid_t dockerd = -1, caller = -1;
  auto r = run_binary(args("--duration 4"), [&] {
    dockerd = spawn([&] {
      execl(daemon.c_str(), "dockerd", "-c", "sleep 8; :", "--data-root", data_root.c_str(),
            static_cast<char*>(nullptr));
      return 12;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    caller = ping_from_cgroup(cg);
  });
  if (dockerd > 0) {
    kill(dockerd, SIGKILL);
    reap(dockerd);
  }
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 3000);
  auto requests = with_action(r, "request", caller);
  ASSERT_FALSE(requests.empty()) << r.out.substr(0, 3000);
  EXPECT_EQ(requests.front()["container"]["name"], "late-daemon-name") << requests.front().dump();
}

INSTANTIATE_TEST_SUITE_P(Tiers, HostileTrust, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
