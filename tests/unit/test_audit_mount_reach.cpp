// Mount reach: the socket's path inside its filesystem, candidate paths in
// another namespace, and the inode check inside a (fake) /proc tree whose
// processes' roots are directories holding a hard link of the real socket.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "audit/mount_reach.h"
#include "audit_tree.h"
#include "enrich/container_resolver.h"

namespace sockwarden::audit {
namespace {

using testing::TempTree;

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

TEST(AuditMountReach, PathInFilesystemFollowsBindMounts) {
  auto host = parse_mountinfo(
      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "2 1 8:1 /srv/data /data rw - ext4 /dev/sda1 rw\n"
      "3 1 0:22 / /run rw - tmpfs tmpfs rw\n");
  EXPECT_EQ(path_in_filesystem(host, 8, 1, "/data/run/x.sock"), "/srv/data/run/x.sock");
  EXPECT_EQ(path_in_filesystem(host, 8, 1, "/var/lib/x.sock"), "/var/lib/x.sock");
  EXPECT_EQ(path_in_filesystem(host, 0, 22, "/run/docker.sock"), "/docker.sock");
  EXPECT_FALSE(path_in_filesystem(host, 0, 99, "/run/docker.sock"));
}

TEST(AuditMountReach, CandidatesBySocketOrDirectoryAbove) {
  auto ns = parse_mountinfo(
      "10 9 0:50 / / rw - overlay overlay rw\n"
      "11 10 0:22 / /host-run rw - tmpfs tmpfs rw\n"
      "12 10 0:22 /docker.sock /var/run/other.sock rw - tmpfs tmpfs rw\n"
      "13 10 0:22 /docker.sockx /nope rw - tmpfs tmpfs rw\n"
      "14 10 0:23 / /elsewhere rw - tmpfs tmpfs rw\n");
  auto c = candidates_in(ns, 0, 22, "/docker.sock");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].path_inside, "/host-run/docker.sock");
  EXPECT_FALSE(c[0].socket_itself);
  EXPECT_EQ(c[1].path_inside, "/var/run/other.sock");
  EXPECT_TRUE(c[1].socket_itself);
}

class FakeProc {
 public:
  explicit FakeProc(TempTree& t) : t_(t) {}
  // A process in mount namespace `mntns` whose root is <tree>/roots/<pid>.
  void add(int pid, uint64_t mntns, const std::string& mountinfo, const std::string& cgroup, const char* comm) {
    std::string base = "proc/" + std::to_string(pid);
    t_.symlink("mnt:[" + std::to_string(mntns) + "]", base + "/ns/mnt");
    t_.write(base + "/mountinfo", mountinfo);
    t_.write(base + "/cgroup", cgroup);
    t_.write(base + "/stat", std::to_string(pid) + " (" + comm + ") S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n");
    t_.write(base + "/status", "Name:\t" + std::string(comm) + "\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
    t_.mkdir("roots/" + std::to_string(pid));
    t_.symlink(t_.path("roots/" + std::to_string(pid)), base + "/root");
  }
  // The socket as seen inside pid's root at `inside` (a hard link: same inode).
  void link_socket(int pid, const std::string& sock, const std::string& inside) {
    std::string p = t_.path("roots/" + std::to_string(pid) + inside);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    ASSERT_EQ(::link(sock.c_str(), p.c_str()), 0) << strerror(errno);
  }

 private:
  TempTree& t_;
};

TEST(AuditMountReach, FindsContainersByInodeNotByName) {
  TempTree t;
  std::string sock = t.socket("host/run/d.sock");
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  std::string dev = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  std::string host_mi = t.write("host-mountinfo", "1 0 " + dev + " / / rw - ext4 /dev/x rw\n");

  std::string ctr_root = "9 0 0:250 / / rw - overlay overlay rw\n";
  FakeProc p(t);
  // 42: container "attacker" with the socket's directory at /var/run (sees it as d.sock).
  p.add(42, 5000, ctr_root + "10 9 " + dev + " " + t.path("host/run") + " /var/run rw - ext4 /dev/x rw\n",
        "0::/docker/" + kId + "\n", "sleep");
  p.link_socket(42, sock, "/var/run/d.sock");
  // 43: a second process of the same namespace: counted, not repeated.
  p.add(43, 5000, "", "0::/docker/" + kId + "\n", "sh");
  // 44: another container, nothing of that filesystem mounted.
  p.add(44, 5001, ctr_root, "0::/docker/" + std::string(64, 'b') + "\n", "nginx");
  // 45: a sandboxed service: the host's / copied unchanged, not a container.
  p.add(45, 5002, "1 0 " + dev + " / / rw - ext4 /dev/x rw\n", "0::/system.slice/x.service\n", "svc");
  // 46: mountinfo says the directory is there, but the inode inside differs (shadowed).
  p.add(46, 5003, ctr_root + "10 9 " + dev + " " + t.path("host/run") + " /var/run rw - ext4 /dev/x rw\n",
        "0::/docker/" + std::string(64, 'c') + "\n", "other");
  t.write("roots/46/var/run/d.sock", "not the socket");
  // 47: in the auditor's own namespace: skipped.
  p.add(47, 4000, "1 0 " + dev + " / / rw - ext4 /dev/x rw\n", "0::/\n", "bash");
  // 48: not a container, but a new bind mount of the socket itself (unshare -m; mount --bind).
  p.add(48, 5004, "1 0 " + dev + " / / rw - ext4 /dev/x rw\n2 1 " + dev + " " + sock + " /mnt/s rw - ext4 /dev/x rw\n",
        "0::/user.slice\n", "unshared");
  p.link_socket(48, sock, "/mnt/s");

  t.write("docker/containers/" + kId + "/config.v2.json",
          R"({"Name":"/attacker","Config":{"Image":"local/busybox:1"},"State":{"Running":true}})");
  RuntimeRoots roots;
  roots.docker_data_root = t.path("docker");
  ContainerResolver resolver(roots);
  ProcessContext ctx(t.path("proc"), resolver);

  RuntimeSocket s;
  s.path = sock;
  s.realpath = sock;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  auto reach = find_mount_reach({s}, t.path("proc"), host_mi, 4000, ctx);
  ASSERT_EQ(reach.size(), 2u);
  const MountReach& a = reach[0];
  EXPECT_EQ(a.mntns, 5000u);
  EXPECT_EQ(a.path_inside, "/var/run/d.sock");
  EXPECT_EQ(a.mount_point, "/var/run");
  EXPECT_FALSE(a.socket_itself);
  EXPECT_EQ(a.pids, (std::vector<pid_t>{42, 43}));
  ASSERT_TRUE(a.process.container);
  EXPECT_EQ(a.process.container->name, "attacker");
  EXPECT_EQ(a.process.container->image, "local/busybox:1");
  const MountReach& u = reach[1];
  EXPECT_EQ(u.mntns, 5004u);
  EXPECT_EQ(u.path_inside, "/mnt/s");
  EXPECT_TRUE(u.socket_itself);
  EXPECT_FALSE(u.process.container);

  auto f = mount_reach_findings(reach);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].severity, Severity::Critical);
  EXPECT_EQ(f[0].check, "socket-mounted");
  EXPECT_EQ(f[0].container_name, "attacker");
  EXPECT_NE(f[0].title.find("/var/run/d.sock"), std::string::npos);
  EXPECT_EQ(f[1].severity, Severity::High);
  EXPECT_EQ(f[1].check, "socket-mounted-namespace");
}

TEST(AuditMountReach, SameInodeRefusesSymlinksPointingOutOfTheRoot) {
  TempTree t;
  std::string sock = t.socket("host/d.sock");
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  FakeProc p(t);
  p.add(50, 1, "", "", "x");
  // Inside the container, /evil -> <absolute host path of the socket>: resolved in
  // the container's root this is not the host's socket.
  t.symlink(sock, "roots/50/evil");
  EXPECT_FALSE(same_inode_in_root(t.path("proc"), 50, "/evil", st.st_dev, st.st_ino));
  p.link_socket(50, sock, "/good");
  EXPECT_TRUE(same_inode_in_root(t.path("proc"), 50, "/good", st.st_dev, st.st_ino));
  EXPECT_FALSE(same_inode_in_root(t.path("proc"), 51, "/good", st.st_dev, st.st_ino));
}

}  // namespace
}  // namespace sockwarden::audit
