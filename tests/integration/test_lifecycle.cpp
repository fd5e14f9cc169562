// The agent as a host agent, through the real binary: connections already open
// when it starts (existing-connection), agent-start/agent-stop framing the
// stream, and every event it writes matching schema/sockwarden-event.schema.json.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Every JSON line of the run through tests/schema/validate_events.py.
// The vmtest initramfs has neither the source tree nor python3: there the
// lines are checked field by field only (the host runs validate them).
void expect_schema_valid(const Run& r, const std::string& require_actions) {
  if (access(SW_SOURCE_DIR "/tests/schema/validate_events.py", R_OK) != 0 ||
      system("python3 -c 'import jsonschema' >/dev/null 2>&1") != 0) {
    std::printf("schema validation not run: no validator or python3-jsonschema here\n");
    return;
  }
  std::string file = "/tmp/sockwarden-schema-" + std::to_string(getpid()) + ".jsonl";
  {
    std::ofstream f(file);
    for (const auto& j : r.lines) f << j.dump() << "\n";
  }
  std::string cmd = "python3 " SW_SOURCE_DIR "/tests/schema/validate_events.py --require-actions " +
                    require_actions + " " + file + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  int st = pclose(p);
  unlink(file.c_str());
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
}

// A client that connects before the agent starts and holds the connection:
// it reports its socket inode and fd, waits for "go", then sends a request.
struct HeldClient {
  pid_t pid = 0;
  uint64_t ino = 0;
  int fd = -1;
  int go[2] = {-1, -1};

  explicit HeldClient(const std::string& sock) {
    int info[2];
    EXPECT_EQ(pipe(info), 0);
    EXPECT_EQ(pipe(go), 0);
    pid = fork();
    if (pid == 0) {
      close(info[0]);
      close(go[1]);
      int c = connect_unix(sock);
      uint64_t msg[2] = {c >= 0 ? fd_inode(c) : 0, static_cast<uint64_t>(c)};
      if (write(info[1], msg, sizeof msg) != sizeof msg) _exit(1);
      char b;
      if (read(go[0], &b, 1) != 1) _exit(2);
      std::string req = "GET /v1.41/events HTTP/1.1\r\nHost: docker\r\n\r\n";
      if (write(c, req.data(), req.size()) != (ssize_t)req.size()) _exit(3);
      char buf[256];
      int rc = read(c, buf, sizeof buf) > 0 ? 0 : 4;
      usleep(300 * 1000);
      _exit(rc);
    }
    close(info[1]);
    close(go[0]);
    uint64_t msg[2] = {0, 0};
    EXPECT_EQ(read(info[0], msg, sizeof msg), (ssize_t)sizeof msg);
    close(info[0]);
    ino = msg[0];
    fd = static_cast<int>(msg[1]);
  }
  void send_now() {
    EXPECT_EQ(write(go[1], "g", 1), 1);
  }
  int wait_exit() {
    close(go[1]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
};

class LifecycleTest : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir_;
};

TEST_P(LifecycleTest, ExistingConnectionReportedOnceThenItsSendsShareTheConnectionId) {
  std::string sock = dir_.path + "/docker.sock";
  Listener l(sock);
  l.set_reply("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  HeldClient held(sock);
  ASSERT_GT(held.ino, 0u);
  ASSERT_GE(held.fd, 0);
  // Let the listener thread accept it: a daemon-side socket, not a pending one.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  pid_t fresh = 0, refused = 0;
  auto r = run_binary_with_pid(
      "run --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 30",
      [&](pid_t agent) {
        held.send_now();
        fresh = run_child([&] {
          int fd = connect_unix(sock);
          if (fd < 0) return 1;
          std::string req = "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                            "Content-Length: 44\r\n\r\n{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}";
          req.replace(req.find("44"), 2, std::to_string(req.size() - req.find("\r\n\r\n") - 4));
          if (write(fd, req.data(), req.size()) != (ssize_t)req.size()) return 2;
          char buf[256];
          int rc = read(fd, buf, sizeof buf) > 0 ? 0 : 3;
          usleep(300 * 1000);
          return rc;
        });
        chmod(sock.c_str(), 0600);
        refused = run_child([&] {
          if (setgid(65534) != 0 || setuid(65534) != 0) return 10;
          return connect_unix(sock) < 0 ? 0 : 1;
        });
        EXPECT_EQ(held.wait_exit(), 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // requests wait up to 1 s for replies
        kill(agent, SIGTERM);
      });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  struct stat st {};
  ASSERT_EQ(stat(sock.c_str(), &st), 0);

  auto existing = with_action(r, "existing-connection");
  ASSERT_EQ(existing.size(), 1u) << r.out;
  const json& e = existing[0];
  EXPECT_EQ(e["process"]["pid"], held.pid);
  EXPECT_EQ(e["process"]["executable"], self_exe());
  EXPECT_EQ(e["process"]["parent"]["pid"], getpid());
  EXPECT_EQ(e["event"]["type"], json::array({"connection"}));
  EXPECT_EQ(e["event"]["outcome"], "success");
  EXPECT_EQ(e["sockwarden"]["connection"], held.ino);
  EXPECT_EQ(e["sockwarden"]["fd"], held.fd);
  EXPECT_EQ(e["sockwarden"]["socket"]["path"], sock);
  EXPECT_EQ(e["sockwarden"]["socket"]["inode"], st.st_ino);
  EXPECT_EQ(e["sockwarden"]["tier"], GetParam());
  EXPECT_EQ(e["user"]["id"], "0");
  EXPECT_TRUE(e["sockwarden"]["cgroup"]["path"].is_string());
  EXPECT_GT(e["sockwarden"]["namespaces"]["mnt"].get<uint64_t>(), 0u);
  // The caller classification ran: the test binary is not an expected caller.
  auto flags = e["sockwarden"]["flags"];
  EXPECT_NE(std::find(flags.begin(), flags.end(), "unexpected-caller"), flags.end()) << e.dump();
  // It connected before the agent: no connect event, but its send carries the same id.
  EXPECT_TRUE(with_action(r, "connect", held.pid).empty()) << r.out;
  auto sends = with_action(r, "send", held.pid);
  ASSERT_EQ(sends.size(), 1u) << r.out;
  EXPECT_EQ(sends[0]["sockwarden"]["connection"], held.ino);
  // The fresh client is a live connect, never an existing one.
  EXPECT_EQ(with_action(r, "connect", fresh).size(), 1u) << r.out;

  // Framing: agent-start first, agent-stop last with the totals.
  std::vector<json> events;
  for (const auto& j : r.lines)
    if (j.contains("event")) events.push_back(j);
  ASSERT_GE(events.size(), 3u) << r.out;
  EXPECT_EQ(events.front()["event"]["action"], "agent-start") << r.out;
  EXPECT_EQ(events.back()["event"]["action"], "agent-stop") << r.out;
  EXPECT_EQ(with_action(r, "agent-start").size(), 1u);
  EXPECT_EQ(with_action(r, "agent-stop").size(), 1u);
  const json& start = events.front();
  EXPECT_EQ(start["sockwarden"]["agent"]["tier"], GetParam());
  EXPECT_EQ(start["sockwarden"]["agent"]["enforcement"], "monitor");
  EXPECT_EQ(start["sockwarden"]["agent"]["watched_sockets"], json::array({sock}));
  EXPECT_EQ(start["sockwarden"]["agent"]["existing_connections"], 1);
  EXPECT_FALSE(start["agent"]["version"].get<std::string>().empty());
  // RFC 3339 with the same width: string order is time order.
  EXPECT_LE(start["@timestamp"].get<std::string>(), e["@timestamp"].get<std::string>());
  const json& stop = events.back();
  EXPECT_EQ(stop["sockwarden"]["agent"]["reason"], "SIGTERM");
  EXPECT_EQ(stop["sockwarden"]["agent"]["totals"]["events"], events.size() - 1);
  EXPECT_EQ(stop["sockwarden"]["agent"]["totals"]["lost"], 0);

  std::string required = "agent-start,agent-stop,existing-connection,connect,send,request";
  if (GetParam() != "syscall-tp") required += ",reply";
  if (tier_sees_refused_attempts(GetParam())) {
    auto failures = with_action(r, "connect", refused);
    EXPECT_EQ(failures.size(), 1u) << r.out;
  }
  expect_schema_valid(r, required);
}

TEST_P(LifecycleTest, DurationEndsWithAgentStop) {
  std::string sock = dir_.path + "/quiet.sock";
  Listener l(sock);
  // --no-audit: the continuous audit's start findings depend on the host (exactly two lines here).
  auto r = run_binary("run --no-audit --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                      " --duration 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(r.lines.size(), 2u) << r.out;
  EXPECT_EQ(r.lines[0]["event"]["action"], "agent-start");
  EXPECT_EQ(r.lines[1]["event"]["action"], "agent-stop");
  EXPECT_EQ(r.lines[1]["sockwarden"]["agent"]["reason"], "duration");
  EXPECT_EQ(r.lines[1]["sockwarden"]["agent"]["totals"]["events"], 1);
  EXPECT_GE(r.lines[1]["sockwarden"]["agent"]["uptime_sec"].get<double>(), 0.9);
  expect_schema_valid(r, "agent-start,agent-stop");
}

// run's continuous audit: evaluated at start and every --audit-interval, off the
// capture thread; the heartbeat counts the runs, and whatever it found validates.
TEST_P(LifecycleTest, ContinuousAuditRunsAtStartAndEveryInterval) {
  std::string sock = dir_.path + "/audited.sock";
  Listener l(sock);
  auto r = run_binary("run --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                      " --audit-interval 1 --heartbeat 1 --duration 3.5");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto beats = with_action(r, "heartbeat");
  ASSERT_GE(beats.size(), 2u) << r.out;
  const json& audit = beats.back()["sockwarden"]["heartbeat"]["audit"];
  EXPECT_GE(audit["runs"].get<int>(), 2) << audit.dump();  // start + at least one interval before the last beat
  EXPECT_EQ(audit["errors"], 0) << audit.dump();
  // Counted when handed to the outputs: the last beat cannot count more than were written.
  EXPECT_LE(audit["events"].get<size_t>(),
            with_action(r, "audit-finding").size() + with_action(r, "audit-finding-resolved").size())
      << r.out;
  for (const auto& f : with_action(r, "audit-finding")) EXPECT_EQ(f["event"]["kind"], "state") << f.dump();
  expect_schema_valid(r, "agent-start,agent-stop,heartbeat");
}

// trace (the table and --json) carries no lifecycle events: they are the agent's framing.
TEST_P(LifecycleTest, TraceJsonHasNoLifecycleEvents) {
  std::string sock = dir_.path + "/t.sock";
  Listener l(sock);
  auto r = run_binary("trace --json --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(with_action(r, "agent-start").empty());
  EXPECT_TRUE(with_action(r, "agent-stop").empty());
}

INSTANTIATE_TEST_SUITE_P(Tiers, LifecycleTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
