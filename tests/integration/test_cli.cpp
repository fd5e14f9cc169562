// End-to-end through the real binary: `sockwarden run`/`trace --json` as a
// user runs them, JSON lines parsed and checked field by field.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
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

class CliTest : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir_;
};

TEST_P(CliTest, RunEmitsEcsJsonForConnectSendAndRefusal) {
  std::string sock = dir_.path + "/docker.sock";
  Listener l(sock);
  l.set_reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]");
  pid_t writer = 0, refused = 0;
  auto r = run_binary("run --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 4", [&] {
    writer = run_child([&] {
      int fd = connect_unix(sock);
      if (fd < 0) return 1;
      std::string req = "GET /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\n\r\n";
      if (write(fd, req.data(), req.size()) != (ssize_t)req.size()) return 2;
      char buf[256];
      int rc = read(fd, buf, sizeof buf) > 0 ? 0 : 3;
      // Stay alive while the agent reads /proc/PID for executable and command
      // line (callers that exit first keep only their comm: docs/known-gaps.md).
      usleep(600 * 1000);
      return rc;
    });
    chmod(sock.c_str(), 0600);
    refused = run_child([&] {
      if (setgid(65534) != 0 || setuid(65534) != 0) return 10;
      return connect_unix(sock) < 0 ? 0 : 1;
    });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  struct stat st {};
  ASSERT_EQ(stat(sock.c_str(), &st), 0);

  auto connects = with_action(r, "connect", writer);
  ASSERT_EQ(connects.size(), 1u) << r.out;
  const json& c = connects[0];
  EXPECT_EQ(c["event"]["outcome"], "success");
  EXPECT_EQ(c["ecs"]["version"], "8.11.0");
  EXPECT_TRUE(c["@timestamp"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(c["process"]["parent"]["pid"], getpid());
  EXPECT_EQ(c["user"]["id"], "0");
  EXPECT_EQ(c["group"]["id"], "0");
  EXPECT_EQ(c["sockwarden"]["socket"]["path"], sock);
  EXPECT_EQ(c["sockwarden"]["socket"]["inode"], st.st_ino);
  EXPECT_EQ(c["sockwarden"]["tier"], GetParam());
  EXPECT_TRUE(c["sockwarden"]["fd"].is_number());
  EXPECT_TRUE(c["sockwarden"]["cgroup"]["path"].is_string());
  EXPECT_TRUE(c["sockwarden"]["namespaces"]["mnt"].is_number());
  EXPECT_TRUE(c["process"]["executable"].is_string());

  auto sends = with_action(r, "send", writer);
  ASSERT_EQ(sends.size(), 1u) << r.out;
  EXPECT_EQ(sends[0]["sockwarden"]["payload"], "GET /v1.41/containers/json HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n");
  EXPECT_EQ(sends[0]["sockwarden"]["bytes"], 53);
  EXPECT_EQ(sends[0]["sockwarden"]["connection"], c["sockwarden"]["connection"]);

  if (GetParam() != "syscall-tp") {
    auto replies = with_action(r, "reply");
    ASSERT_GE(replies.size(), 1u) << r.out;
    EXPECT_EQ(replies[0]["sockwarden"]["connection"], c["sockwarden"]["connection"]);
    EXPECT_TRUE(replies[0]["sockwarden"]["payload"].get<std::string>().starts_with("HTTP/1.1 200 OK"));
  }

  auto failures = with_action(r, "connect", refused);
  if (!tier_sees_refused_attempts(GetParam())) {
    EXPECT_TRUE(failures.empty()) << "documented gap: refused connects unseen without cgroup/connect_unix";
    return;
  }
  ASSERT_EQ(failures.size(), 1u) << r.out;
  EXPECT_EQ(failures[0]["event"]["outcome"], "failure");
  EXPECT_EQ(failures[0]["user"]["id"], "65534");
  EXPECT_EQ(failures[0]["sockwarden"]["socket"]["inode"], st.st_ino);
  EXPECT_EQ(failures[0]["sockwarden"]["error"], GetParam() == "syscall-tp" ? "EACCES" : "refused");
}

// A socket that does not exist at start is watched once it appears, and a
// recreated socket (daemon restart: new inode) keeps being watched.
TEST_P(CliTest, SocketAppearingLaterAndRecreatedIsWatched) {
  std::string sock = dir_.path + "/late.sock";
  std::unique_ptr<Listener> l;
  pid_t first = 0, second = 0;
  auto r = run_binary("run --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 5", [&] {
    l = std::make_unique<Listener>(sock);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    first = run_child([&] { return connect_unix(sock) >= 0 ? 0 : 1; });
    l.reset();
    l = std::make_unique<Listener>(sock);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    second = run_child([&] { return connect_unix(sock) >= 0 ? 0 : 1; });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(with_action(r, "connect", first).size(), 1u) << r.out;
  auto c2 = with_action(r, "connect", second);
  ASSERT_EQ(c2.size(), 1u) << r.out;
  EXPECT_EQ(c2[0]["sockwarden"]["socket"]["inode"], l->inode());
}

// Registry credentials and environment values seen on the wire never reach the output.
TEST_P(CliTest, SecretsAreRedacted) {
  std::string sock = dir_.path + "/secret.sock";
  Listener l(sock);
  pid_t child = 0;
  std::string req =
      "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\n"
      "X-Registry-Auth: eyJwYXNzd29yZCI6Imh1bnRlcjIifQ==\r\nContent-Type: application/json\r\n\r\n"
      "{\"Image\":\"busybox\",\"Env\":[\"DB_PASSWORD=hunter2\"]}";
  auto r = run_binary("run --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 3", [&] {
    child = run_child([&] {
      int fd = connect_unix(sock);
      return fd >= 0 && write(fd, req.data(), req.size()) == (ssize_t)req.size() ? 0 : 1;
    });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("eyJwYXNzd29yZCI6"), std::string::npos) << r.out;
  auto sends = with_action(r, "send", child);
  ASSERT_EQ(sends.size(), 1u) << r.out;
  std::string payload = sends[0]["sockwarden"]["payload"];
  EXPECT_NE(payload.find("X-Registry-Auth: [REDACTED]"), std::string::npos) << payload;
  EXPECT_NE(payload.find("DB_PASSWORD=[REDACTED]"), std::string::npos) << payload;
  auto flags = sends[0]["sockwarden"]["flags"];
  EXPECT_NE(std::find(flags.begin(), flags.end(), "redacted"), flags.end()) << flags.dump();
}

// A caller that execs, writes and exits at once is still fully resolved: the
// process table is fed by the kernel's exec/fork records, not by /proc.
TEST_P(CliTest, ShortLivedExecedCallerIsResolved) {
  std::string sock = dir_.path + "/short.sock";
  Listener l(sock);
  pid_t child = 0;
  auto r = run_binary("run --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 3", [&] {
    child = run_child([&] {
      int fd = connect_unix(sock);
      if (fd < 0 || dup2(fd, 9) != 9) return 1;
      execl("/bin/sh", "sh", "-c", "printf short-lived >&9", (char*)nullptr);
      return 2;
    });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto sends = with_action(r, "send", child);
  ASSERT_EQ(sends.size(), 1u) << r.out;
  const json& p = sends[0]["process"];
  EXPECT_EQ(p["executable"], "/bin/sh");
  EXPECT_EQ(p["command_line"], "sh -c printf short-lived >&9");
  EXPECT_EQ(p["args"].size(), 3u);
  EXPECT_EQ(p["parent"]["pid"], getpid());
  EXPECT_TRUE(p["start"].is_string());
  auto anc = sends[0]["sockwarden"]["process"]["ancestors"];
  ASSERT_GE(anc.size(), 1u);
  EXPECT_EQ(anc[0]["pid"], getpid());
  EXPECT_EQ(anc[0]["executable"], std::filesystem::read_symlink("/proc/self/exe").string());
  EXPECT_EQ(sends[0]["user"]["effective"]["id"], "0");
  // The connect happened before the exec: it carries the forked test binary.
  auto connects = with_action(r, "connect", child);
  ASSERT_EQ(connects.size(), 1u);
  EXPECT_EQ(connects[0]["process"]["executable"], std::filesystem::read_symlink("/proc/self/exe").string());
}

// --expect clears unexpected-caller; --only-flagged keeps only flagged callers.
TEST_P(CliTest, ExpectedCallersAndOnlyFlagged) {
  std::string sock = dir_.path + "/flag.sock";
  Listener l(sock);
  pid_t quiet = 0, loud = 0;
  std::string self_exe = std::filesystem::read_symlink("/proc/self/exe").string();
  auto run = [&](const std::string& extra) {
    return run_binary("trace --json --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                          " --duration 3 " + extra,
                      [&] {
                        quiet = run_child([&] {
                          int fd = connect_unix(sock);
                          return fd >= 0 && write(fd, "q", 1) == 1 ? 0 : 1;
                        });
                        loud = run_child([&] {
                          int fd = connect_unix(sock);
                          if (fd < 0 || dup2(fd, 9) != 9) return 1;
                          execl("/bin/sh", "sh", "-c", "printf loud >&9", (char*)nullptr);
                          return 2;
                        });
                      });
  };
  auto all = run("--expect exe:" + self_exe);
  ASSERT_EQ(all.exit_code, 0) << all.out;
  auto q = with_action(all, "send", quiet);
  auto l2 = with_action(all, "send", loud);
  ASSERT_EQ(q.size(), 1u) << all.out;
  ASSERT_EQ(l2.size(), 1u) << all.out;
  EXPECT_EQ(q[0]["sockwarden"]["expected_by"], "exe:" + self_exe);
  EXPECT_EQ(caller_flags(q[0]), json::array()) << q[0].dump();
  EXPECT_EQ(caller_flags(l2[0]), json::array({"unexpected-caller"})) << l2[0].dump();
  auto flagged = run("--expect exe:" + self_exe + " --only-flagged");
  ASSERT_EQ(flagged.exit_code, 0) << flagged.out;
  EXPECT_TRUE(with_action(flagged, "send", quiet).empty()) << flagged.out;
  EXPECT_EQ(with_action(flagged, "send", loud).size(), 1u) << flagged.out;
}

TEST_P(CliTest, TraceJsonEndsWithSummary) {
  std::string sock = dir_.path + "/s.sock";
  Listener l(sock);
  pid_t child = 0;
  auto r = run_binary("trace --json --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 3",
                      [&] { child = run_child([&] { int fd = connect_unix(sock); return fd >= 0 && write(fd, "x", 1) == 1 ? 0 : 1; }); });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_FALSE(r.lines.empty());
  const json& last = r.lines.back();
  ASSERT_TRUE(last.contains("summary")) << last.dump();
  EXPECT_EQ(last["summary"]["tier"], GetParam());
  EXPECT_EQ(last["summary"]["kernel"]["ringbuf_drops"], 0);
  bool found = false;
  for (const auto& c : last["summary"]["callers"])
    if (c["pid"] == child) found = c["connects"] == 1 && c["sends"] == 1;
  EXPECT_TRUE(found) << last.dump();
}

TEST_P(CliTest, TraceTableShowsCallerAndSummary) {
  std::string sock = dir_.path + "/t.sock";
  Listener l(sock);
  auto r = run_binary("trace --no-default-sockets --socket " + sock + " --tier " + GetParam() + " --duration 3", [&] {
    run_child([&] { int fd = connect_unix(sock); return fd >= 0 && write(fd, "HEAD /_ping HTTP/1.1\r\n\r\n", 24) == 24 ? 0 : 1; });
  });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("ACTION"), std::string::npos) << r.out;
  // The default view: the decoded request, not the raw send (whose first line is the request line).
  EXPECT_NE(r.out.find("HEAD /_ping"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("HEAD /_ping HTTP/1.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Top callers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lost events: 0"), std::string::npos) << r.out;
  // Top callers counts the send although the view has no row for it.
  EXPECT_NE(r.out.find(", 1 sends,"), std::string::npos) << r.out;

  auto all = run_binary("trace --view all --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                            " --duration 3",
                        [&] {
                          run_child([&] {
                            int fd = connect_unix(sock);
                            return fd >= 0 && write(fd, "HEAD /_ping HTTP/1.1\r\n\r\n", 24) == 24 ? 0 : 1;
                          });
                        });
  ASSERT_EQ(all.exit_code, 0) << all.out;
  EXPECT_NE(all.out.find("HEAD /_ping HTTP/1.1"), std::string::npos) << all.out;
}

INSTANTIATE_TEST_SUITE_P(Tiers, CliTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

TEST(Cli, ExitCodes) {
  EXPECT_EQ(run_binary("trace --tier bogus --duration 1").exit_code, 2);
  EXPECT_EQ(run_binary("trace --payload-cap 99999 --duration 1").exit_code, 2);
  EXPECT_EQ(run_binary("frobnicate").exit_code, 2);
  EXPECT_EQ(run_binary("trace --view raw --duration 1").exit_code, 2);
  EXPECT_EQ(run_binary("trace --json --width 80 --duration 1").exit_code, 2);
  EXPECT_EQ(run_binary("trace --width 20000 --duration 1").exit_code, 2);
  auto help = run_binary("trace --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--socket"), std::string::npos);
  // Not root: a clear error and exit code 3.
  std::string cmd = std::string("setpriv --reuid 65534 --regid 65534 --clear-groups ") + SW_BINARY + " trace --duration 1 >/dev/null 2>&1";
  int st = system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(st), 3);
  auto doctor = run_binary("doctor");
  EXPECT_EQ(doctor.exit_code, 0) << doctor.out;
  EXPECT_NE(doctor.out.find("socket-tp: LOADS"), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find("selected tier: socket-tp"), std::string::npos) << doctor.out;
}

}  // namespace
