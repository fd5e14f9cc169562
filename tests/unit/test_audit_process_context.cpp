// /proc reading for the audit (fake trees) and connection matching (fake sock_diag).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "audit/live_connections.h"
#include "audit/process_context.h"
#include "audit_tree.h"
#include "capture/watch_list.h"

namespace sockwarden::audit {
namespace {

using testing::TempTree;

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

TEST(AuditProcessContext, ContainerCgroupPathPrefersARecognisedLayout) {
  EXPECT_EQ(container_cgroup_path("0::/docker/" + kId + "\n"), "/docker/" + kId);
  // Hybrid host: v2 shows nothing useful, a v1 hierarchy names the container.
  EXPECT_EQ(container_cgroup_path("12:cpu,cpuacct:/docker/" + kId + "\n1:name=systemd:/docker/" + kId + "\n0::/\n"),
            "/docker/" + kId);
  EXPECT_EQ(container_cgroup_path("0::/user.slice/session-1.scope\n"), "/user.slice/session-1.scope");
  EXPECT_EQ(container_cgroup_path(""), "");
}

TEST(AuditProcessContext, SocketOwnersAndNamespaces) {
  TempTree t;
  t.symlink("socket:[111]", "proc/10/fd/3");
  t.symlink("socket:[111]", "proc/10/fd/4");
  t.symlink("/dev/null", "proc/10/fd/0");
  t.symlink("socket:[222]", "proc/11/fd/7");
  t.symlink("socket:[111]", "proc/12/fd/9");
  t.symlink("mnt:[4026531841]", "proc/10/ns/mnt");
  t.mkdir("proc/self");
  t.mkdir("proc/sys");
  auto owners = socket_owners(t.path("proc"));
  EXPECT_EQ(owners[111], (std::vector<pid_t>{10, 12}));
  EXPECT_EQ(owners[222], (std::vector<pid_t>{11}));
  EXPECT_EQ(list_pids(t.path("proc")), (std::vector<pid_t>{10, 11, 12}));
  EXPECT_EQ(ns_inode(t.path("proc"), 10, "mnt"), 4026531841u);
  EXPECT_EQ(ns_inode(t.path("proc"), 11, "mnt"), 0u);
}

TEST(AuditLiveConnections, MatchesAcceptedSocketsToClientPids) {
  TempTree t;
  auto w = [&](int pid, const char* comm, const std::string& cgroup) {
    std::string b = "proc/" + std::to_string(pid);
    t.write(b + "/stat", std::to_string(pid) + " (" + comm + ") S 1 1 1 0 -1 0\n");
    t.write(b + "/status", "Uid:\t1000\t1000\t1000\t1000\n");
    t.write(b + "/cgroup", cgroup);
  };
  w(100, "dockerd", "0::/system.slice/docker.service\n");
  w(200, "python3", "0::/user.slice\n");
  w(300, "docker", "0::/docker/" + kId + "\n");
  t.write("data/containers/" + kId + "/config.v2.json", R"({"Name":"/attacker","Config":{"Image":"busybox"}})");
  RuntimeRoots roots;
  roots.docker_data_root = t.path("data");
  ContainerResolver resolver(roots);
  ProcessContext ctx(t.path("proc"), resolver);

  RuntimeSocket s;
  s.path = "/var/run/docker.sock";
  s.dev = makedev(254, 0);
  s.ino = 5000;
  uint32_t kdev = kernel_dev(s.dev);
  std::vector<UnixSockDiag> diag{
      {10, 10, 5000, kdev, 0, {21, 25}},  // the listener; 21 was accepted meanwhile, 25 waits
      {11, 1, 5000, kdev, 21, {}},        // accepted, peer = python's socket
      {21, 1, 0, 0, 11, {}},              // python's client end
      {12, 1, 5000, kdev, 22, {}},        // accepted, peer = the container's socket
      {13, 1, 5000, 999, 23, {}},         // same inode number, other device: not ours
      {14, 1, 5000, kdev, 24, {}},        // peer nobody holds
  };
  std::map<uint64_t, std::vector<pid_t>> owners{{10, {100}}, {11, {100}}, {21, {200}}, {22, {300}}, {25, {200}}};
  auto live = match_connections({s}, diag, owners, ctx);
  ASSERT_EQ(live.listeners.size(), 1u);
  EXPECT_EQ(live.listeners[0].second.comm, "dockerd");
  ASSERT_EQ(live.connections.size(), 4u);
  EXPECT_FALSE(live.connections[0].pending);
  EXPECT_TRUE(live.connections[3].pending);
  EXPECT_EQ(live.connections[3].client_ino, 25u);
  ASSERT_EQ(live.connections[3].clients.size(), 1u);
  EXPECT_EQ(live.connections[3].clients[0].pid, 200);
  live.connections.pop_back();
  EXPECT_EQ(live.connections[0].client_ino, 21u);
  ASSERT_EQ(live.connections[0].clients.size(), 1u);
  EXPECT_EQ(live.connections[0].clients[0].pid, 200);
  EXPECT_EQ(live.connections[0].clients[0].uid, 1000u);
  ASSERT_EQ(live.connections[1].clients.size(), 1u);
  ASSERT_TRUE(live.connections[1].clients[0].container);
  EXPECT_EQ(live.connections[1].clients[0].container->name, "attacker");
  EXPECT_TRUE(live.connections[2].clients.empty());

  auto f = live_connection_findings(live);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].severity, Severity::Info);
  EXPECT_EQ(f[1].severity, Severity::High);
  EXPECT_EQ(f[1].container_name, "attacker");
}

}  // namespace
}  // namespace sockwarden::audit
