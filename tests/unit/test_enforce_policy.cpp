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
  fs::create_directories(root_ + "/proc/4242");
  fs::create_symlink(root_ + "/opt/dash", root_ + "/proc/4242/exe");
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

TEST(EnforcementMarker, UnwritableStateDirIsAnError) {
  EnforcementMarker m("/proc/sockwarden-cannot-write-here");
  EXPECT_THROW(m.claim(), std::runtime_error);
}

}  // namespace
}  // namespace sockwarden
