// The host's cgroup2 hierarchy seen from a cgroup namespace: the bounded
// walk, choosing the mount, the namespace check and finding a process's
// cgroup from its namespace-relative path. Temp trees stand in for cgroupfs:
// ids are their directories' real inode numbers, as on cgroupfs.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "agent/existing_connections.h"
#include "enrich/cgroup_resolver.h"
#include "enrich/cgroup_walk.h"
#include "enrich/host_cgroup2.h"
#include "enrich/mountinfo.h"
#include "events.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace sockwarden {
namespace {

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const std::string kPod = "/kubepods.slice/kubepods-besteffort.slice/"
                         "kubepods-besteffort-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice";

uint64_t ino(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

class HostCgroup2Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_hostcg_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path mk(const std::string& rel) {
    fs::create_directories(dir_.string() + rel);
    return dir_.string() + rel;
  }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  fs::path dir_;
};

// --- the walk -------------------------------------------------------------

TEST_F(HostCgroup2Tree, WalkReportsEveryDirectoryWithItsInode) {
  mk("/docker/" + kId);
  mk(kPod + "/cri-containerd-" + kId + ".scope");
  write(dir_ / "cgroup.procs", "1\n");
  std::map<std::string, uint64_t> seen;
  auto r = walk_cgroup_tree(dir_.string(), {}, [&](uint64_t i, const std::string& p) {
    seen[p] = i;
    return true;
  });
  EXPECT_TRUE(r.root_ok);
  EXPECT_FALSE(r.hit_depth);
  EXPECT_FALSE(r.hit_entries);
  EXPECT_EQ(seen.at("/"), ino(dir_));
  EXPECT_EQ(seen.at("/docker/" + kId), ino(dir_.string() + "/docker/" + kId));
  std::string scope = kPod + "/cri-containerd-" + kId + ".scope";
  EXPECT_EQ(seen.at(scope), ino(dir_.string() + scope));
  EXPECT_EQ(seen.count("/cgroup.procs"), 0u);
  EXPECT_EQ(r.visited, seen.size());
}

TEST_F(HostCgroup2Tree, WalkNeverFollowsSymlinks) {
  fs::path outside = mk("/outside/secret");
  mk("/tree/a");
  fs::create_directory_symlink(dir_ / "outside", dir_ / "tree" / "a" / "link");
  std::set<uint64_t> ids;
  std::set<std::string> paths;
  walk_cgroup_tree((dir_ / "tree").string(), {}, [&](uint64_t i, const std::string& p) {
    ids.insert(i);
    paths.insert(p);
    return true;
  });
  EXPECT_EQ(paths, (std::set<std::string>{"/", "/a"}));
  EXPECT_EQ(ids.count(ino(outside)), 0u);
  EXPECT_EQ(ids.count(ino(dir_ / "outside")), 0u);
}

TEST_F(HostCgroup2Tree, WalkIsBoundedInDepthAndEntries) {
  mk("/l1/l2/l3/l4/l5");
  CgroupWalkLimits depth;
  depth.max_depth = 3;
  std::set<std::string> paths;
  auto r = walk_cgroup_tree(dir_.string(), depth, [&](uint64_t, const std::string& p) {
    paths.insert(p);
    return true;
  });
  EXPECT_TRUE(r.hit_depth);
  EXPECT_EQ(paths, (std::set<std::string>{"/", "/l1", "/l1/l2", "/l1/l2/l3"}));

  for (int i = 0; i < 50; ++i) mk("/wide/c" + std::to_string(i));
  CgroupWalkLimits entries;
  entries.max_entries = 10;
  size_t calls = 0;
  r = walk_cgroup_tree(dir_.string(), entries, [&](uint64_t, const std::string&) {
    ++calls;
    return true;
  });
  EXPECT_TRUE(r.hit_entries);
  EXPECT_EQ(calls, 10u);
  EXPECT_EQ(r.visited, 10u);

  // The visitor can stop the walk.
  calls = 0;
  walk_cgroup_tree(dir_.string(), {}, [&](uint64_t, const std::string&) { return ++calls < 3; });
  EXPECT_EQ(calls, 3u);
}

TEST_F(HostCgroup2Tree, WalkOfMissingRootReportsNothing) {
  size_t calls = 0;
  auto r = walk_cgroup_tree((dir_ / "nope").string(), {}, [&](uint64_t, const std::string&) { return ++calls, true; });
  EXPECT_FALSE(r.root_ok);
  EXPECT_EQ(calls, 0u);
}

TEST_F(HostCgroup2Tree, ResolverHonoursWalkLimits) {
  mk("/a/b/c/d");
  CgroupResolver r(dir_.string(), 8192, 0ms);
  CgroupWalkLimits lim;
  lim.max_depth = 2;
  r.set_walk_limits(lim);
  EXPECT_EQ(r.path_for(ino(dir_ / "a" / "b")), "/a/b");
  EXPECT_EQ(r.path_for(ino(dir_ / "a" / "b" / "c" / "d")), "");
  EXPECT_TRUE(r.last_walk().hit_depth);
}

// --- which hierarchy ------------------------------------------------------

TEST_F(HostCgroup2Tree, ViewOfPlainDirectoryIsNotCgroup2) { EXPECT_EQ(cgroup2_view(dir_.string()), Cgroup2View::NotCgroup2); }

// This test host runs in the initial cgroup namespace (asserted), so its own
// cgroup2 mount is the whole hierarchy, whose root is the kernfs root: inode 1.
TEST(HostCgroup2Real, OwnMountIsTheWholeHierarchy) {
  auto ns = check_cgroup_namespace("/proc", 1);
  ASSERT_FALSE(ns.private_ns) << "the unit tests must run in the host's cgroup namespace";
  EXPECT_NE(ns.self_ino, 0u);
  auto mount = find_cgroup2_mount("/proc/self/mountinfo");
  ASSERT_TRUE(mount) << "no cgroup2 mount";
  EXPECT_EQ(cgroup2_view(*mount), Cgroup2View::Whole);
  auto choice = locate_host_cgroup2({});
  ASSERT_TRUE(choice);
  EXPECT_TRUE(choice->whole);
  EXPECT_EQ(choice->root, *mount);
  EXPECT_EQ(choice->how, "mount");
}

class HostCgroup2Locate : public HostCgroup2Tree {
 protected:
  void SetUp() override {
    HostCgroup2Tree::SetUp();
    own_ = (dir_ / "own-mountinfo").string();
    host_ = (dir_ / "host-mountinfo").string();
  }
  static std::string line(int id, const std::string& point, const std::string& fs) {
    return std::to_string(id) + " 1 0:" + std::to_string(id) + " / " + point + " rw - " + fs + " none rw\n";
  }
  std::function<Cgroup2View(const std::string&)> view() {
    return [this](const std::string& p) {
      auto it = views_.find(p);
      return it == views_.end() ? Cgroup2View::NotCgroup2 : it->second;
    };
  }
  std::string own_, host_;
  std::map<std::string, Cgroup2View> views_;
};

TEST_F(HostCgroup2Locate, PrefersAMountShowingTheWholeHierarchy) {
  // A pod: the runtime's namespace-rooted mount first, the host's bound at /host/cgroup.
  write(own_, line(30, "/sys/fs/cgroup", "cgroup2") + line(31, "/proc", "proc") + line(32, "/host/cgroup", "cgroup2"));
  views_ = {{"/sys/fs/cgroup", Cgroup2View::Subtree}, {"/host/cgroup", Cgroup2View::Whole}};
  Cgroup2Sources s;
  s.own_mountinfo = own_;
  auto c = locate_host_cgroup2(s, view());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->root, "/host/cgroup");
  EXPECT_TRUE(c->whole);
  EXPECT_EQ(c->how, "mount");
}

TEST_F(HostCgroup2Locate, FallsBackToTheHostsMountPointUnderHostRoot) {
  write(own_, line(30, "/sys/fs/cgroup", "cgroup2"));
  write(host_, line(40, "/", "ext4") + line(41, "/sys/fs/cgroup/unified", "cgroup2"));
  views_ = {{"/sys/fs/cgroup", Cgroup2View::Subtree}, {"/proc/1/root/sys/fs/cgroup/unified", Cgroup2View::Whole}};
  Cgroup2Sources s;
  s.own_mountinfo = own_;
  s.host_root = "/proc/1/root";
  s.host_mountinfo = host_;
  auto c = locate_host_cgroup2(s, view());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->root, "/proc/1/root/sys/fs/cgroup/unified");
  EXPECT_EQ(c->how, "--host-root");

  // The host's mountinfo unreadable: the usual mount points are tried.
  s.host_mountinfo = (dir_ / "missing").string();
  c = locate_host_cgroup2(s, view());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->root, "/proc/1/root/sys/fs/cgroup/unified");
}

TEST_F(HostCgroup2Locate, SubtreeOnlyAsLastResortAndNothingWithoutCgroup2) {
  write(own_, line(30, "/sys/fs/cgroup", "cgroup2"));
  views_ = {{"/sys/fs/cgroup", Cgroup2View::Subtree}};
  Cgroup2Sources s;
  s.own_mountinfo = own_;
  s.host_root = "/proc/1/root";
  auto c = locate_host_cgroup2(s, view());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->root, "/sys/fs/cgroup");
  EXPECT_FALSE(c->whole);

  write(own_, line(30, "/sys/fs/cgroup/memory", "cgroup"));  // cgroup v1 only
  EXPECT_FALSE(locate_host_cgroup2(s, view()));
}

TEST_F(HostCgroup2Locate, ExplicitRootMustShowTheWholeHierarchy) {
  write(own_, line(30, "/sys/fs/cgroup", "cgroup2"));
  views_ = {{"/sys/fs/cgroup", Cgroup2View::Whole}, {"/host/cg", Cgroup2View::Whole}, {"/ns/cg", Cgroup2View::Subtree}};
  Cgroup2Sources s;
  s.own_mountinfo = own_;
  s.explicit_root = "/host/cg";
  auto c = locate_host_cgroup2(s, view());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->root, "/host/cg");
  EXPECT_EQ(c->how, "--host-cgroup2");
  s.explicit_root = "/ns/cg";
  EXPECT_THROW(locate_host_cgroup2(s, view()), std::invalid_argument);
  s.explicit_root = "/not/cg";
  EXPECT_THROW(locate_host_cgroup2(s, view()), std::invalid_argument);
}

// --- the namespace check --------------------------------------------------

TEST_F(HostCgroup2Tree, NamespaceCheckComparesWithTheHostProcess) {
  mk("/proc/self/ns");
  mk("/proc/1/ns");
  mk("/proc/77/ns");
  fs::create_symlink("cgroup:[4026532500]", dir_ / "proc/self/ns/cgroup");
  fs::create_symlink("cgroup:[4026531835]", dir_ / "proc/1/ns/cgroup");
  fs::create_symlink("cgroup:[4026532500]", dir_ / "proc/77/ns/cgroup");
  const std::string proc = (dir_ / "proc").string();
  auto c = check_cgroup_namespace(proc, 1);
  EXPECT_TRUE(c.private_ns);
  EXPECT_EQ(c.self_ino, 4026532500u);
  EXPECT_EQ(c.host_ino, 4026531835u);
  EXPECT_FALSE(check_cgroup_namespace(proc, 77).private_ns);  // --host-root /proc/77/root shares it
  // The host's link unreadable: compared with the initial namespace's constant inode.
  c = check_cgroup_namespace(proc, 999);
  EXPECT_TRUE(c.private_ns);
  EXPECT_EQ(c.host_ino, 0xEFFFFFFBu);
  EXPECT_EQ(c.compared_with, "the initial cgroup namespace");
}

TEST(HostCgroup2Paths, Paths) {
  EXPECT_EQ(v2_cgroup_line("12:pids:/x\n0::/../docker/abc\n"), "/../docker/abc");
  EXPECT_EQ(v2_cgroup_line("12:pids:/x\n"), "");
  EXPECT_TRUE(is_namespace_relative("/../docker/abc", false));
  EXPECT_TRUE(is_namespace_relative("/..", false));
  EXPECT_FALSE(is_namespace_relative("/docker/abc", false));
  EXPECT_FALSE(is_namespace_relative("/..data/x", false));
  EXPECT_TRUE(is_namespace_relative("/docker/abc", true));
}

// --- a process's cgroup from its namespace-relative path -------------------

TEST_F(HostCgroup2Tree, FindsTheProcessCgroupConfirmedByCgroupProcs) {
  const std::string ctr = kPod + "/cri-containerd-" + kId + ".scope";
  write(mk(ctr) / "cgroup.procs", "100\n4242\n");
  // A look-alike elsewhere (a delegated user made it) that does not hold the process.
  write(mk("/user.slice/evil" + ctr) / "cgroup.procs", "7\n");
  write(mk("/agentpod") / "cgroup.procs", "1\n");
  const std::string root = dir_.string();
  auto nodes = list_cgroups(root);
  // Seen from the agent's pod (/agentpod): three levels up, then down.
  auto n = find_process_cgroup(root, nodes, "/.." + ctr, 4242);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->path, ctr);
  EXPECT_EQ(n->id, ino(root + ctr));
  EXPECT_FALSE(find_process_cgroup(root, nodes, "/.." + ctr, 5555));  // listed nowhere
  // Only the look-alike lists pid 7: that is where pid 7 is.
  n = find_process_cgroup(root, nodes, "/.." + ctr, 7);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->path, "/user.slice/evil" + ctr);
  // Nothing distinctive to look for.
  EXPECT_FALSE(find_process_cgroup(root, nodes, "/", 1));
  EXPECT_FALSE(find_process_cgroup(root, nodes, "/../..", 1));
  EXPECT_FALSE(find_process_cgroup(root, nodes, "/../a/../b", 1));
}

TEST_F(HostCgroup2Tree, ExistingConnectionInAPrivateNamespaceGetsTheHostCgroupId) {
  const std::string proc = (dir_ / "proc").string(), cg = (dir_ / "cgroup").string();
  mk("/proc/4242/ns");
  write(dir_ / "proc/4242/status", "Name:\tdocker\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
  write(dir_ / "proc/4242/comm", "docker\n");
  write(dir_ / "proc/4242/cgroup", "0::/../../docker/" + kId + "\n");
  write(mk("/cgroup/docker/" + kId) / "cgroup.procs", "4242\n");
  mk("/cgroup/kubepods/agent");
  ExistingClient c;
  c.pid = 4242;
  RawEvent r;
  // Appended to the root, "/../../docker/<id>" would leave the tree: a path
  // starting with ".." is recognised as namespace-relative even without the flag.
  ASSERT_TRUE(existing_connection_record(c, proc, cg, SW_TIER_SOCKET_TP, 1, r));
  EXPECT_EQ(r.cgroup_id, ino(cg + "/docker/" + kId));
  CgroupPaths paths{cg, true};
  ASSERT_TRUE(existing_connection_record(c, proc, paths, SW_TIER_SOCKET_TP, 1, r));
  EXPECT_EQ(r.cgroup_id, ino(cg + "/docker/" + kId));
  ASSERT_TRUE(paths.nodes);  // walked once, kept for the next client
  EXPECT_GE(paths.nodes->size(), 4u);

  // Below the agent's own namespace root (/kubepods/agent) a path has no "..":
  // only the namespace check tells it apart from a host path.
  write(dir_ / "proc/4242/cgroup", "0::/sidecar\n");
  write(mk("/cgroup/kubepods/agent/sidecar") / "cgroup.procs", "4242\n");
  mk("/cgroup/sidecar");  // what "/sidecar" would wrongly name in the host's tree
  ASSERT_TRUE(existing_connection_record(c, proc, cg, SW_TIER_SOCKET_TP, 1, r));
  EXPECT_EQ(r.cgroup_id, ino(cg + "/sidecar"));  // the host reading: wrong in a pod
  CgroupPaths fresh{cg, true};
  ASSERT_TRUE(existing_connection_record(c, proc, fresh, SW_TIER_SOCKET_TP, 1, r));
  EXPECT_EQ(r.cgroup_id, ino(cg + "/kubepods/agent/sidecar"));
}

}  // namespace
}  // namespace sockwarden
