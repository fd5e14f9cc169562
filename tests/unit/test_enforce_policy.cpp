// The enforcement policy compiler and marker over temp trees (a fake bin dir,
// /proc and cgroup2 hierarchy). The kernel side runs in integration.*Enforce*.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "capture/watch_list.h"
#include "enforce/enforcement_marker.h"
#include "enforce/policy_compiler.h"
#include "enrich/container_resolver.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

class PolicyCompilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_policy_XXXXXX";
    root_ = mkdtemp(tmpl);
    fs::create_directories(root_ + "/bin");
    fs::create_directories(root_ + "/proc");
    fs::create_directories(root_ + "/cg");
    in_.bin_dirs = {root_ + "/bin"};
    in_.proc_root = root_ + "/proc";
    in_.cgroup2_root = root_ + "/cg";
    in_.host_mntns = kHostMnt;
    in_.trusted_uid = static_cast<uint32_t>(getuid());
  }
  static constexpr uint64_t kHostMnt = 4026531840;
  // A fake /proc/PID running EXE in mount namespace MNTNS and cgroup CGROUP.
  void fake_process(int pid, const std::string& exe, uint64_t mntns, const std::string& cgroup) {
    std::string dir = root_ + "/proc/" + std::to_string(pid);
    fs::create_directories(dir + "/ns");
    fs::create_symlink(exe, dir + "/exe");
    fs::create_symlink("mnt:[" + std::to_string(mntns) + "]", dir + "/ns/mnt");
    std::ofstream(dir + "/cgroup") << "0::" << cgroup << "\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::pair<uint32_t, uint64_t> id_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return {kernel_dev(st.st_dev), st.st_ino};
  }
  static ExpectedCaller rule(const std::string& spec) { return parse_expected_spec(spec, "test"); }

  std::string root_;
  PolicyInputs in_;
};

TEST_F(PolicyCompilerTest, MonitorModeCompilesNothing) {
  CallerPolicy p = CallerPolicy::with_defaults();
  p.add(rule("uid:0"));
  auto c = compile_policy(p, /*enforce=*/false, false, in_);
  EXPECT_FALSE(c.enforce);
  EXPECT_TRUE(c.uids.empty() && c.exes.empty() && c.cgroups.empty());
}

TEST_F(PolicyCompilerTest, UidsExecutablesAndCgroups) {
  std::ofstream(root_ + "/bin/dockerd") << "x";
  std::ofstream(root_ + "/bin/curl") << "x";
  fs::create_directories(root_ + "/opt");
  std::ofstream(root_ + "/opt/dash") << "x";
  // A running process whose executable lives outside the bin dirs.
  fake_process(4242, root_ + "/opt/dash", kHostMnt, "/system.slice/dash.service");
  fs::create_directories(root_ + "/cg/system.slice/monitoring.service/worker");
  fs::create_directories(root_ + "/cg/system.slice/other.service");

  CallerPolicy p;
  p.add(rule("uid:1001"));
  p.add(rule("exe:*/dockerd"));
  p.add(rule("exe:*/opt/dash"));
  p.add(rule("cgroup:/system.slice/monitoring.service"));
  auto c = compile_policy(p, true, false, in_);
  EXPECT_TRUE(c.enforce);
  EXPECT_EQ(c.uids, std::set<uint32_t>{1001});
  EXPECT_EQ(c.exes.count(id_of(root_ + "/bin/dockerd")), 1u);
  EXPECT_EQ(c.exes.count(id_of(root_ + "/opt/dash")), 1u) << "found through /proc/PID/exe";
  EXPECT_EQ(c.exes.count(id_of(root_ + "/bin/curl")), 0u);
  // The matching cgroup only: the kernel checks every ancestor, so its children need no entry.
  EXPECT_EQ(c.cgroups, std::set<uint64_t>{id_of(root_ + "/cg/system.slice/monitoring.service").second});
  // Same inputs, same result: the agent skips the map update.
  EXPECT_EQ(compile_policy(p, true, false, in_), c);
}

TEST_F(PolicyCompilerTest, ContainersByNameAndImage) {
  const std::string id(64, 'a'), other(64, 'b');
  std::string data = root_ + "/docker";
  fs::create_directories(data + "/containers/" + id);
  fs::create_directories(data + "/containers/" + other);
  std::ofstream(data + "/containers/" + id + "/config.v2.json")
      << R"({"Name":"/monitoring-agent","Config":{"Image":"company/agent:1"}})";
  std::ofstream(data + "/containers/" + other + "/config.v2.json")
      << R"({"Name":"/attacker","Config":{"Image":"evil:latest"}})";
  fs::create_directories(root_ + "/cg/system.slice/docker-" + id + ".scope");
  fs::create_directories(root_ + "/cg/system.slice/docker-" + other + ".scope");
  RuntimeRoots roots;
  roots.docker_data_root = data;
  ContainerResolver resolver(roots);
  in_.containers = &resolver;

  CallerPolicy by_name;
  by_name.add(rule("container:monitoring-*"));
  auto c = compile_policy(by_name, true, false, in_);
  EXPECT_EQ(c.cgroups, std::set<uint64_t>{id_of(root_ + "/cg/system.slice/docker-" + id + ".scope").second});

  CallerPolicy by_image;
  by_image.add(rule("image:evil:*"));
  c = compile_policy(by_image, true, false, in_);
  EXPECT_EQ(c.cgroups, std::set<uint64_t>{id_of(root_ + "/cg/system.slice/docker-" + other + ".scope").second});

  // The forgery: a user names a cgroup in their delegated subtree after the
  // real container. It must not be allow-listed, nor one a user owns.
  std::string forged = root_ + "/cg/user.slice/user-1000.slice/user@1000.service/app.slice/docker-" + id + ".scope";
  fs::create_directories(forged);
  c = compile_policy(by_name, true, false, in_);
  EXPECT_EQ(c.cgroups.count(id_of(forged).second), 0u);
  EXPECT_EQ(c.cgroups.size(), 1u);
  in_.trusted_uid = static_cast<uint32_t>(getuid()) + 1;  // every cgroup dir now "owned by a user"
  EXPECT_TRUE(compile_policy(by_name, true, false, in_).cgroups.empty());
}

// The forgery of issue 20: a container copies its docker client to /tmp/runc
// and runs it. Its /proc/PID/exe matches "*/runc" but must lend no inode:
// not from a container cgroup, not from another mount namespace, and no file
// the agent's user does not own (a local user's ~/runc) or others may write.
TEST_F(PolicyCompilerTest, ExecutablesNamedLikeRuntimesAreNotTrustedFromContainersOrUsers) {
  for (const char* f : {"/ctr-runc", "/ns-runc", "/host-runc", "/gw-runc", "/user-runc"}) {
    fs::create_directories(root_ + f + std::string("/tmp"));
    std::ofstream(root_ + f + "/tmp/runc") << "x";
    fs::permissions(root_ + f + "/tmp/runc", fs::perms(0755));
  }
  fs::permissions(root_ + "/gw-runc/tmp/runc", fs::perms(0775));
  const std::string id(64, 'c');
  fake_process(100, root_ + "/ctr-runc/tmp/runc", kHostMnt, "/system.slice/docker-" + id + ".scope");
  fake_process(101, root_ + "/ns-runc/tmp/runc", kHostMnt + 7, "/user.slice/user-1000.slice/session-1.scope");
  fake_process(102, root_ + "/host-runc/tmp/runc", kHostMnt, "/system.slice/containerd.service");
  fake_process(103, root_ + "/gw-runc/tmp/runc", kHostMnt, "/system.slice/containerd.service");
  CallerPolicy p;
  p.add(rule("exe:*/runc"));
  auto c = compile_policy(p, true, false, in_);
  EXPECT_EQ(c.exes.count(id_of(root_ + "/ctr-runc/tmp/runc")), 0u) << "a container's process";
  EXPECT_EQ(c.exes.count(id_of(root_ + "/ns-runc/tmp/runc")), 0u) << "another mount namespace";
  EXPECT_EQ(c.exes.count(id_of(root_ + "/gw-runc/tmp/runc")), 0u) << "group-writable";
  EXPECT_EQ(c.exes.count(id_of(root_ + "/host-runc/tmp/runc")), 1u) << "a host process, file owned right";
  EXPECT_EQ(c.exes.size(), 1u);

  // A user-owned file (here: owned by someone other than the expected owner).
  in_.trusted_uid = static_cast<uint32_t>(getuid()) + 1;
  fake_process(104, root_ + "/user-runc/tmp/runc", kHostMnt, "/user.slice/user-1000.slice/session-1.scope");
  EXPECT_TRUE(compile_policy(p, true, false, in_).exes.empty());

  // Host namespace unknown: nothing from /proc is trusted (fail closed).
  in_.trusted_uid = static_cast<uint32_t>(getuid());
  in_.host_mntns = 0;
  EXPECT_TRUE(compile_policy(p, true, false, in_).exes.empty());
}

TEST(EnforcementMarker, ClaimReportsALeftoverAndCleanExitLeavesNone) {
  char tmpl[] = "/tmp/sw_marker_XXXXXX";
  std::string dir = std::string(mkdtemp(tmpl)) + "/state";
  EnforcementMarker m(dir);
  EXPECT_FALSE(m.claim().has_value()) << "first start: nothing left behind";
  // Another agent (this one, pretending) died without removing it.
  EnforcementMarker next(dir);
  auto gap = next.claim();
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->previous_pid, static_cast<uint32_t>(getpid()));
  EXPECT_GT(gap->last_alive_realtime_ns, 0u);
  next.remove();
  EnforcementMarker third(dir);
  EXPECT_FALSE(third.claim().has_value());
  fs::remove_all(fs::path(dir).parent_path());
}

// A process that reuses the dead agent's pid and calls itself "sockwarden"
// must not suppress the gap: the marker also records the start time, which
// the kernel sets. A marker planted as a symlink or FIFO is replaced, never
// followed or blocked on.
TEST(EnforcementMarker, PidReuseAndPlantedFilesDoNotHideTheGap) {
  char tmpl[] = "/tmp/sw_marker_XXXXXX";
  std::string root = mkdtemp(tmpl);
  std::string dir = root + "/state", proc = root + "/proc";
  fs::create_directories(dir);
  fs::create_directories(proc + "/4242");
  auto fake_stat = [&](const std::string& start) {
    // comm with spaces and ')' as a hostile process may choose.
    std::ofstream(proc + "/4242/stat") << "4242 (sockwarden) x) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 "
                                       << start << " 1000 10 0\n";
    std::ofstream(proc + "/4242/comm") << "sockwarden\n";
  };
  fake_stat("777");
  EXPECT_EQ(process_start_time(proc, 4242), 777u);
  // The previous agent was pid 4242 started at tick 555; 4242 now is another process.
  std::ofstream(dir + "/running") << "4242 555\n";
  EnforcementMarker m(dir, "running", proc);
  auto gap = m.claim();
  ASSERT_TRUE(gap.has_value()) << "pid reused by an impostor";
  EXPECT_EQ(gap->previous_pid, 4242u);
  // Same pid and start time: that agent is still running, no gap.
  std::ofstream(dir + "/running") << "4242 777\n";
  EXPECT_FALSE(EnforcementMarker(dir, "running", proc).claim().has_value());
  // An old-format marker (pid only) cannot prove liveness: a gap.
  std::ofstream(dir + "/running") << "4242\n";
  EXPECT_TRUE(EnforcementMarker(dir, "running", proc).claim().has_value());

  // Symlink planted at the marker path: the target stays untouched.
  std::ofstream(root + "/victim") << "precious\n";
  fs::remove(dir + "/running");
  fs::create_symlink(root + "/victim", dir + "/running");
  EXPECT_TRUE(EnforcementMarker(dir, "running", proc).claim().has_value());
  std::ifstream victim(root + "/victim");
  std::string text;
  std::getline(victim, text);
  EXPECT_EQ(text, "precious");
  EXPECT_FALSE(fs::is_symlink(dir + "/running"));
  // A FIFO planted there neither blocks the start nor survives.
  fs::remove(dir + "/running");
  ASSERT_EQ(mkfifo((dir + "/running").c_str(), 0600), 0);
  EXPECT_TRUE(EnforcementMarker(dir, "running", proc).claim().has_value());
  EXPECT_TRUE(fs::is_regular_file(dir + "/running"));
  fs::remove_all(root);
}

TEST(EnforcementMarker, UnwritableStateDirIsAnError) {
  EnforcementMarker m("/proc/sockwarden-cannot-write-here");
  EXPECT_THROW(m.claim(), std::runtime_error);
}

}  // namespace
}  // namespace sockwarden
