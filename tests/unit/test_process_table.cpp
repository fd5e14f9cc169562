#include "enrich/process_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace sockwarden;
using namespace std::chrono_literals;

namespace {

class ProcessTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_pt_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    proc_ = tmpl;
    // init(1) <- sshd(100) <- bash(200) <- java(300), all running before the agent
    make(1, 0, "/sbin/init", {"/sbin/init"}, "init", 4294967295u);
    make(100, 1, "/usr/sbin/sshd", {"sshd:", "alice"}, "sshd", 1000);
    make(200, 100, "/usr/bin/bash", {"-bash"}, "bash", 1000);
    make(300, 200, "/usr/bin/java", {"java", "-jar", "ci.jar"}, "java", 1000);
  }
  void TearDown() override { fs::remove_all(proc_); }

  void make(uint32_t pid, uint32_t ppid, const std::string& exe, const std::vector<std::string>& args,
            const std::string& comm, uint32_t loginuid) {
    fs::path d = proc_ / std::to_string(pid);
    fs::create_directories(d);
    fs::create_symlink(exe, d / "exe");
    std::ofstream cmd(d / "cmdline", std::ios::binary);
    for (const auto& a : args) cmd << a << '\0';
    std::ofstream(d / "stat") << pid << " (" << comm << ") S " << ppid << " " << pid
                              << " 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 " << 1000 + pid
                              << " 12345678 900 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n";
    std::ofstream(d / "status") << "Name:\t" << comm << "\nPPid:\t" << ppid << "\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n";
    std::ofstream(d / "loginuid") << loginuid;
    std::ofstream(d / "sessionid") << 7;
  }

  ProcEvent ev(ProcEventKind k, uint32_t tgid, uint32_t ppid, const std::string& comm) {
    ProcEvent e;
    e.kind = k;
    e.tgid = tgid;
    e.ppid = ppid;
    e.comm = comm;
    e.uid = 1000;
    e.euid = 1000;
    e.gid = 100;
    e.loginuid = 1000;
    e.sessionid = 7;
    e.start_boottime = 5'000'000'000ull;
    return e;
  }

  fs::path proc_;
};

TEST_F(ProcessTableTest, SeedReadsEveryField) {
  ProcessTable t(proc_.string());
  EXPECT_EQ(t.seed_from_proc(), 4u);
  const ProcessEntry* java = t.lookup(300);
  ASSERT_NE(java, nullptr);
  EXPECT_EQ(java->executable, "/usr/bin/java");
  EXPECT_EQ(java->command_line(), "java -jar ci.jar");
  EXPECT_EQ(java->name, "java");
  EXPECT_EQ(java->ppid, 200u);
  EXPECT_EQ(java->uid, 1000u);
  EXPECT_EQ(java->euid, 0u);
  EXPECT_EQ(java->gid, 100u);
  EXPECT_EQ(java->loginuid, 1000u);
  EXPECT_EQ(java->sessionid, 7u);
  EXPECT_EQ(java->start_boottime_ns, 1300ull * (1000000000ull / sysconf(_SC_CLK_TCK)));
  EXPECT_TRUE(java->from_proc);
  const ProcessEntry* init = t.lookup(1);
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->loginuid, 4294967295u);
}

// A curl that forks, execs, writes and exits before anyone reads /proc.
TEST_F(ProcessTableTest, ShortLivedChildResolvedFromKernelRecords) {
  ProcessTable t(proc_.string());
  t.seed_from_proc();
  t.on_event(ev(ProcEventKind::Fork, 400, 300, "java"));
  auto exec = ev(ProcEventKind::Exec, 400, 300, "curl");
  exec.filename = "/usr/bin/curl";
  exec.args = {"curl", "--unix-socket", "/var/run/docker.sock", "http://x/v1.41/info"};
  t.on_event(exec);
  auto t0 = ProcessTable::Clock::now();
  t.on_event(ev(ProcEventKind::Exit, 400, 300, "curl"), t0);
  ASSERT_FALSE(fs::exists(proc_ / "400"));  // never in /proc
  const ProcessEntry* curl = t.lookup(400);
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->executable, "/usr/bin/curl");
  EXPECT_EQ(curl->command_line(), "curl --unix-socket /var/run/docker.sock http://x/v1.41/info");
  EXPECT_FALSE(curl->from_proc);
  EXPECT_TRUE(curl->exited);
  auto chain = t.ancestors(400);
  ASSERT_EQ(chain.size(), 4u);
  EXPECT_EQ(chain[0].tgid, 300u);
  EXPECT_EQ(chain[0].executable, "/usr/bin/java");
  EXPECT_EQ(chain[1].executable, "/usr/bin/bash");
  EXPECT_EQ(chain[2].executable, "/usr/sbin/sshd");
  EXPECT_EQ(chain[3].tgid, 1u);
  // Kept for the grace period, then dropped.
  t.expire(t0 + 29s);
  EXPECT_NE(t.lookup(400), nullptr);
  t.expire(t0 + 31s);
  EXPECT_EQ(t.lookup(400), nullptr);
}

// A call queued before an exec but read after it keeps the old program.
TEST_F(ProcessTableTest, ImageAtTheTimeOfTheCall) {
  ProcessTable t(proc_.string());
  t.on_event(ev(ProcEventKind::Fork, 800, 300, "java"));  // runs java until it execs
  auto exec = ev(ProcEventKind::Exec, 800, 300, "sh");
  exec.filename = "/bin/sh";
  exec.args = {"sh", "-c", "x"};
  exec.ts_boot_ns = 1000;
  t.on_event(exec);
  const ProcessEntry* e = t.lookup(800);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->image_at(999).executable, "/usr/bin/java");
  EXPECT_EQ(e->image_at(999).args, (std::vector<std::string>{"java", "-jar", "ci.jar"}));
  EXPECT_EQ(e->image_at(1000).executable, "/bin/sh");
  EXPECT_EQ(e->image_at(5000).executable, "/bin/sh");
  EXPECT_EQ(e->image_at(0).executable, "/bin/sh");  // unknown time: the current program
}

TEST_F(ProcessTableTest, ForkInheritsParentProgramUntilExec) {
  ProcessTable t(proc_.string());
  t.on_event(ev(ProcEventKind::Fork, 500, 200, "bash"));
  const ProcessEntry* child = t.lookup(500);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->executable, "/usr/bin/bash");  // parent read from /proc on demand
  EXPECT_EQ(child->ppid, 200u);
  EXPECT_EQ(child->start_boottime_ns, 5'000'000'000ull);
}

TEST_F(ProcessTableTest, RelativeExecFilenameFallsBackToProcExe) {
  ProcessTable t(proc_.string());
  auto exec = ev(ProcEventKind::Exec, 300, 200, "java");
  exec.filename = "./java";
  t.on_event(exec);
  EXPECT_EQ(t.lookup(300)->executable, "/usr/bin/java");
}

TEST_F(ProcessTableTest, AncestorsStopOnLoopsAndUnknownParents) {
  ProcessTable t(proc_.string());
  t.on_event(ev(ProcEventKind::Fork, 600, 601, "a"));
  t.on_event(ev(ProcEventKind::Fork, 601, 600, "b"));
  auto chain = t.ancestors(600);
  ASSERT_EQ(chain.size(), 1u);
  EXPECT_EQ(chain[0].tgid, 601u);
  t.on_event(ev(ProcEventKind::Fork, 700, 9999, "orphan"));
  EXPECT_TRUE(t.ancestors(700).empty());
  EXPECT_EQ(t.lookup(12345), nullptr);
}

TEST_F(ProcessTableTest, SizeIsBounded) {
  ProcessTable t(proc_.string(), /*max_entries=*/100);
  for (uint32_t pid = 10000; pid < 10500; pid++) t.on_event(ev(ProcEventKind::Fork, pid, 1, "x"));
  EXPECT_LE(t.size(), 100u);
  EXPECT_NE(t.lookup(10499), nullptr);  // newest kept
}

TEST(ProcessTableRealProc, ResolvesThisProcessAndItsParent) {
  ProcessTable t;
  const ProcessEntry* self = t.lookup(static_cast<uint32_t>(getpid()));
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->executable, fs::read_symlink("/proc/self/exe").string());
  EXPECT_EQ(self->ppid, static_cast<uint32_t>(getppid()));
  EXPECT_FALSE(self->args.empty());
  auto chain = t.ancestors(static_cast<uint32_t>(getpid()));
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain[0].tgid, static_cast<uint32_t>(getppid()));
}

}  // namespace
