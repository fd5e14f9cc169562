#include "enrich/cgroup_resolver.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "enrich/mountinfo.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace sockwarden {
namespace {

const std::string kDockerId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const std::string kScopeId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kCriId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const std::string kPodSlice = "/kubepods.slice/kubepods-burstable.slice/"
                              "kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice";

uint64_t inode_of(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

// A fake cgroup2 hierarchy in a temp dir. Ids are the real inode numbers of
// its directories, exactly as on cgroupfs.
class CgroupTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_cgroup_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    for (const auto& rel : {"/docker/" + kDockerId, "/system.slice/docker-" + kScopeId + ".scope",
                            kPodSlice + "/cri-containerd-" + kCriId + ".scope",
                            std::string("/user.slice/user-1000.slice/session-2.scope"),
                            std::string("/dir with space")}) {
      mkdirs(rel);
    }
    std::ofstream(root_ / "cgroup.procs") << "1\n";
    std::ofstream(root_ / "docker" / kDockerId / "cgroup.procs") << "42\n";
    fs::create_directory_symlink(root_ / "docker", root_ / "system.slice" / "link-to-docker");
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(root_ / "locked", fs::perms::owner_all, ec);
    fs::remove_all(root_, ec);
  }
  void mkdirs(const std::string& rel) { fs::create_directories(root_.string() + rel); }
  uint64_t id(const std::string& rel) { return inode_of(rel == "/" ? root_ : fs::path(root_.string() + rel)); }

  fs::path root_;
};

// Fake monotonic clock the tests advance by hand.
struct FakeClock {
  std::shared_ptr<std::chrono::steady_clock::time_point> t =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{} + 1h);
  CgroupResolver::Clock fn() const {
    auto p = t;
    return [p] { return *p; };
  }
  void advance(std::chrono::milliseconds d) { *t += d; }
};

TEST_F(CgroupTree, ResolvesRootAndNestedRuntimeLayouts) {
  CgroupResolver r(root_.string(), 8192, 0ms);
  EXPECT_EQ(r.path_for(id("/")), "/");
  for (const std::string& rel :
       {std::string("/docker"), "/docker/" + kDockerId, "/system.slice/docker-" + kScopeId + ".scope",
        kPodSlice + "/cri-containerd-" + kCriId + ".scope", kPodSlice,
        std::string("/user.slice/user-1000.slice/session-2.scope"), std::string("/dir with space")}) {
    ASSERT_NE(id(rel), 0u) << rel;
    EXPECT_EQ(r.path_for(id(rel)), rel);
  }
}

TEST_F(CgroupTree, IgnoresFilesAndDoesNotFollowSymlinks) {
  CgroupResolver r(root_.string(), 8192, 0ms);
  EXPECT_EQ(r.path_for(inode_of(root_ / "cgroup.procs")), "");
  EXPECT_EQ(r.path_for(inode_of(root_ / "docker" / kDockerId / "cgroup.procs")), "");
  // The symlink's own inode is not a cgroup, and the target is reported under
  // its real path, never under the link.
  EXPECT_EQ(r.path_for(inode_of(root_ / "system.slice" / "link-to-docker")), "");
  EXPECT_EQ(r.path_for(id("/docker/" + kDockerId)), "/docker/" + kDockerId);
}

TEST_F(CgroupTree, UnknownIdAndMissingRootGiveEmpty) {
  CgroupResolver r(root_.string(), 8192, 0ms);
  EXPECT_EQ(r.path_for(0xdeadbeefcafeULL), "");
  CgroupResolver missing((root_ / "nope").string(), 8192, 0ms);
  EXPECT_EQ(missing.path_for(id("/docker")), "");
}

TEST_F(CgroupTree, CacheHitsDoNotRescan) {
  CgroupResolver r(root_.string(), 8192, 0ms);
  EXPECT_EQ(r.path_for(id("/docker")), "/docker");
  EXPECT_EQ(r.rescan_count(), 1u);
  // The walk pre-warmed every other directory, and repeated lookups are hits.
  EXPECT_EQ(r.path_for(id("/docker/" + kDockerId)), "/docker/" + kDockerId);
  EXPECT_EQ(r.path_for(id("/docker")), "/docker");
  EXPECT_EQ(r.rescan_count(), 1u);
}

TEST_F(CgroupTree, RescansAreRateLimited) {
  FakeClock clock;
  CgroupResolver r(root_.string(), 8192, 200ms, clock.fn());
  EXPECT_EQ(r.path_for(0xdead), "");
  EXPECT_EQ(r.rescan_count(), 1u);
  // A flood of unknown ids within the interval walks nothing.
  for (uint64_t bogus = 1; bogus < 1000; ++bogus) r.path_for(0xdead0000 + bogus);
  EXPECT_EQ(r.rescan_count(), 1u);

  // A cgroup created after the last walk is found once the interval passed.
  mkdirs("/docker/new");
  uint64_t fresh = id("/docker/new");
  EXPECT_EQ(r.path_for(fresh), "");
  clock.advance(199ms);
  EXPECT_EQ(r.path_for(fresh), "");
  EXPECT_EQ(r.rescan_count(), 1u);
  clock.advance(1ms);
  EXPECT_EQ(r.path_for(fresh), "/docker/new");
  EXPECT_EQ(r.rescan_count(), 2u);
  EXPECT_EQ(r.path_for(fresh), "/docker/new");
  EXPECT_EQ(r.rescan_count(), 2u);
}

TEST_F(CgroupTree, ZeroIntervalRescansOnEveryMiss) {
  CgroupResolver r(root_.string(), 8192, 0ms);
  r.path_for(0xdead);
  r.path_for(0xbeef);
  EXPECT_EQ(r.rescan_count(), 2u);
  mkdirs("/late");
  EXPECT_EQ(r.path_for(id("/late")), "/late");
}

TEST_F(CgroupTree, CacheIsBoundedAndStillCorrect) {
  for (int i = 0; i < 20; ++i) mkdirs("/many/c" + std::to_string(i));
  CgroupResolver r(root_.string(), 3, 0ms);
  for (int i = 0; i < 20; ++i) {
    std::string rel = "/many/c" + std::to_string(i);
    EXPECT_EQ(r.path_for(id(rel)), rel);
    EXPECT_LE(r.cache_size(), 3u);
  }
  EXPECT_EQ(r.cache_size(), 3u);
}

TEST_F(CgroupTree, EvictsLeastRecentlyUsed) {
  FakeClock clock;
  CgroupResolver r(root_.string(), 2, 200ms, clock.fn());
  const uint64_t a = id("/docker"), b = id("/system.slice"), c = id("/user.slice");
  EXPECT_EQ(r.path_for(a), "/docker");
  clock.advance(1s);
  EXPECT_EQ(r.path_for(b), "/system.slice");
  EXPECT_EQ(r.path_for(a), "/docker");  // a is now the most recently used
  clock.advance(1s);
  EXPECT_EQ(r.path_for(c), "/user.slice");  // evicts b, not a
  EXPECT_EQ(r.rescan_count(), 3u);
  // No walk is allowed now, so only cached entries can answer.
  EXPECT_EQ(r.path_for(a), "/docker");
  EXPECT_EQ(r.path_for(c), "/user.slice");
  EXPECT_EQ(r.path_for(b), "");
  EXPECT_EQ(r.rescan_count(), 3u);
}

// Root ignores directory permissions, so the scan runs in a child that
// drops to an unprivileged uid (the tree is made world-traversable first).
TEST_F(CgroupTree, SkipsUnreadableSubtreeButScansTheRest) {
  mkdirs("/locked/inner");
  uint64_t inner = id("/locked/inner");
  uint64_t locked = id("/locked");
  uint64_t docker = id("/docker/" + kDockerId);
  for (fs::path p = root_; !p.empty() && p != p.root_path(); p = p.parent_path())
    fs::permissions(p, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(root_))
    fs::permissions(e.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(root_ / "locked", fs::perms::none);
  pid_t pid = fork();
  if (pid == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(10);
    CgroupResolver r(root_.string(), 8192, 0ms);
    if (r.path_for(inner) != "") _exit(1);
    if (r.path_for(locked) != "/locked") _exit(2);
    if (r.path_for(docker) != "/docker/" + kDockerId) _exit(3);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  fs::permissions(root_ / "locked", fs::perms::owner_all);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: locked subtree resolved, 2: locked dir missed, 3: rest missed";
}

// The real layout: the id of this test's own cgroup (what
// bpf_get_current_cgroup_id() would return for it) resolves to the path
// /proc/self/cgroup reports.
TEST(CgroupResolverRealHost, ResolvesOwnCgroup) {
  auto mount = find_cgroup2_mount("/proc/self/mountinfo");
  ASSERT_TRUE(mount.has_value()) << "no cgroup2 mount";
  std::ifstream in("/proc/self/cgroup");
  std::string line, own;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) own = line.substr(3);
  }
  ASSERT_FALSE(own.empty()) << "no cgroup v2 line in /proc/self/cgroup";
  fs::path dir = own == "/" ? fs::path(*mount) : fs::path(*mount + own);
  uint64_t own_id = inode_of(dir);
  ASSERT_NE(own_id, 0u) << dir << " not visible (cgroup namespace?)";

  CgroupResolver r(*mount);
  EXPECT_EQ(r.path_for(own_id), own);
  // The hierarchy root's id is 1 on kernfs; it must map to "/".
  EXPECT_EQ(r.path_for(inode_of(*mount)), "/");
  // Every first-level child of the real root resolves too.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(*mount, ec)) {
    if (!e.is_directory() || e.is_symlink()) continue;
    EXPECT_EQ(r.path_for(inode_of(e.path())), "/" + e.path().filename().string());
  }
}

}  // namespace
}  // namespace sockwarden
