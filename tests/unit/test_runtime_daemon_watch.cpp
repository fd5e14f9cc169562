// RuntimeDaemonWatch (agent/runtime_daemon_watch.h): when the agent looks for the running
// dockerd/containerd again. The scan itself (trusted_daemons) reads the real /proc and runs
// in the integration suite (HostileTrust.*Dockerd*).
#include <gtest/gtest.h>

#include <chrono>

#include "agent/runtime_daemon_watch.h"

namespace sockwarden {
namespace {

using namespace std::chrono_literals;
using Clock = RuntimeDaemonWatch::Clock;

ProcEvent exec_of(uint32_t tgid, std::string filename, std::string comm) {
  ProcEvent ev;
  ev.kind = ProcEventKind::Exec;
  ev.tgid = tgid;
  ev.filename = std::move(filename);
  ev.comm = std::move(comm);
  return ev;
}

ProcEvent other(ProcEventKind kind, uint32_t tgid) {
  ProcEvent ev;
  ev.kind = kind;
  ev.tgid = tgid;
  return ev;
}

struct RuntimeDaemonWatchTest : ::testing::Test {
  RuntimeDaemonWatch watch{{"dockerd", "containerd"}, 60s};
  Clock::time_point t0 = Clock::now();
  void SetUp() override { watch.scanned({100, 200}, t0); }
};

TEST(RuntimeDaemonWatchStart, DueBeforeTheFirstScan) {
  RuntimeDaemonWatch watch({"dockerd"});
  EXPECT_TRUE(watch.due(Clock::now()));
}

TEST_F(RuntimeDaemonWatchTest, QuietAfterAScanUntilTheBackstop) {
  EXPECT_FALSE(watch.due(t0));
  EXPECT_FALSE(watch.due(t0 + 59s));
  EXPECT_TRUE(watch.due(t0 + 60s));
}

TEST_F(RuntimeDaemonWatchTest, ExecOfADaemonNameByPathOrComm) {
  watch.on_proc_event(exec_of(300, "/usr/sbin/dockerd", "dockerd"));
  EXPECT_TRUE(watch.due(t0));
  watch.scanned({100, 200, 300}, t0);
  // A relative path or a symlink named otherwise: the kernel's comm still names it.
  watch.on_proc_event(exec_of(301, "./bin/ctrd-link", "containerd"));
  EXPECT_TRUE(watch.due(t0));
  watch.scanned({100, 200, 300, 301}, t0);
  watch.on_proc_event(exec_of(302, "containerd", "sh"));
  EXPECT_TRUE(watch.due(t0));
}

TEST_F(RuntimeDaemonWatchTest, OtherExecsForksAndExitsLeaveItQuiet) {
  watch.on_proc_event(exec_of(400, "/usr/bin/dockerd-rootless.sh", "dockerd-rootless"));
  watch.on_proc_event(exec_of(401, "/usr/bin/containerd-shim-runc-v2", "containerd-shim"));
  watch.on_proc_event(exec_of(402, "/usr/bin/docker", "docker"));
  watch.on_proc_event(other(ProcEventKind::Fork, 100));  // a daemon's child: still its image
  watch.on_proc_event(other(ProcEventKind::Exit, 999));
  EXPECT_FALSE(watch.due(t0 + 1s));
}

TEST_F(RuntimeDaemonWatchTest, AKnownDaemonExitingOrExecingSomethingElse) {
  watch.on_proc_event(other(ProcEventKind::Exit, 200));
  EXPECT_TRUE(watch.due(t0));
  watch.scanned({100}, t0);
  EXPECT_FALSE(watch.due(t0));
  watch.on_proc_event(exec_of(100, "/usr/local/bin/dockerd-new", "dockerd-new"));
  EXPECT_TRUE(watch.due(t0));
}

// Any user can exec "dockerd" in a loop: three looks at once, then one per 5 s (the rate of
// the timer this replaced), never a /proc pass per exec.
TEST_F(RuntimeDaemonWatchTest, AnExecLoopIsRationed) {
  auto t = t0 + 1s;
  int scans = 0;
  for (int i = 0; i < 40; i++, t += 500ms) {  // 20 s of ticks, a "dockerd" exec before each
    watch.on_proc_event(exec_of(500 + i, "/tmp/x/dockerd", "dockerd"));
    if (watch.due(t)) {
      watch.scanned({100, 200}, t);
      scans++;
    }
  }
  // The fixture's scan (the first, like the agent's at start) is free: three at once, then one
  // per 5 s over the 20 s.
  EXPECT_EQ(scans, 3 + 3);  // at 1, 1.5 and 2 s; then at 6, 11 and 16 s
  // The ration comes back when the loop stops.
  t += 20s;
  watch.on_proc_event(exec_of(900, "/usr/bin/dockerd", "dockerd"));
  EXPECT_TRUE(watch.due(t));
}

TEST_F(RuntimeDaemonWatchTest, AScanResetsTheBackstop) {
  watch.scanned({100}, t0 + 50s);
  EXPECT_FALSE(watch.due(t0 + 100s));
  EXPECT_TRUE(watch.due(t0 + 110s));
}

}  // namespace
}  // namespace sockwarden
