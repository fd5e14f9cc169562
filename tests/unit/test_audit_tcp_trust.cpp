// audit's TCP exposure believes a dockerd's flags and --config-file only when
// the process is root's dockerd (uid 0, host mount namespace, no container
// cgroup, root-owned exe named dockerd), never because its comm says so.
// A temp /proc tree stands in for the host's.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "audit/process_context.h"
#include "audit/tcp_exposure.h"
#include "audit_tree.h"
#include "enrich/container_resolver.h"

namespace sockwarden::audit {
namespace {

using testing::TempTree;
namespace fs = std::filesystem;

const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000:0948 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 100 0 0 10 0\n";

class AuditTcpTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.write("proc/net/tcp", kTcp);
    t_.write("proc/net/tcp6", "");
    ns_link(1, 100);
    root_exe_ = t_.write("host/usr/bin/dockerd", "#!/bin/true\n");
    ::chmod(root_exe_.c_str(), 0755);
    user_exe_ = t_.write("host/home/u/bin/dockerd", "#!/bin/true\n");
    ::chmod(user_exe_.c_str(), 0755);
    ASSERT_EQ(::chown(user_exe_.c_str(), 65534, 65534), 0);
    // Both name a config file that would turn on tlsverify.
    t_.write("etc/docker/evil.json", R"({"tlsverify": true, "hosts": ["tcp://0.0.0.0:9999"]})");
  }
  void ns_link(int pid, uint64_t ns) {
    fs::create_directories(t_.path("proc/" + std::to_string(pid) + "/ns"));
    fs::create_symlink("mnt:[" + std::to_string(ns) + "]", t_.path("proc/" + std::to_string(pid) + "/ns/mnt"));
  }
  // A process: its exe link, comm "dockerd", a -H tcp:// command line whose
  // --config-file is evil.json, its mount namespace and cgroup.
  void proc(int pid, const std::string& exe, uint64_t ns, const std::string& cgroup) {
    std::string d = "proc/" + std::to_string(pid);
    t_.write(d + "/stat", std::to_string(pid) + " (dockerd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n");
    t_.write(d + "/status", "Name:\tdockerd\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
    t_.write(d + "/comm", "dockerd\n");
    t_.write(d + "/cmdline", std::string("dockerd\0-H\0tcp://0.0.0.0:2375\0--config-file\0/etc/docker/evil.json\0", 66));
    t_.write(d + "/cgroup", "0::" + cgroup + "\n");
    fs::create_symlink(exe, t_.path(d + "/exe"));
    ns_link(pid, ns);
  }
  TcpAudit audit(const std::map<uint64_t, std::vector<pid_t>>& owners) {
    ProcessContext ctx(t_.path("proc"), resolver_);
    return find_tcp_exposure(t_.path("proc"), t_.path(""), owners, ctx);
  }
  TempTree t_;
  ContainerResolver resolver_;
  std::string root_exe_, user_exe_;
};

TEST_F(AuditTcpTrust, OnlyRootsHostDockerdIsBelieved) {
  proc(200, root_exe_, 100, "/system.slice/docker.service");  // root's dockerd (the control)
  proc(300, user_exe_, 100, "/user.slice/user-1000.slice");  // a user's copy named dockerd
  proc(400, root_exe_, 999, "/system.slice/x.service");  // root's binary, another mount namespace
  proc(500, root_exe_, 100, "/system.slice/docker-" + std::string(64, 'a') + ".scope");  // in a container
  auto tcp = audit({});
  ASSERT_EQ(tcp.configured.size(), 1u);
  EXPECT_EQ(tcp.configured[0].daemon.pid, 200);
  EXPECT_TRUE(tcp.configured[0].tls.tlsverify) << "control: root's root-owned config file is read";

  // Listeners: root's dockerd is assessed; the user's copy named dockerd is
  // still reported, but its flags and config are not believed.
  tcp = audit({{31337, {200}}, {31338, {300}}});
  ASSERT_EQ(tcp.listening.size(), 2u);
  for (const auto& e : tcp.listening) {
    if (e.daemon.pid == 200) {
      EXPECT_TRUE(e.tls_known);
    } else {
      EXPECT_EQ(e.daemon.pid, 300);
      EXPECT_FALSE(e.tls_known);
      EXPECT_FALSE(e.tls.tlsverify);
    }
  }
}

// A process whose comm is dockerd but whose exe is something else is not a
// daemon at all.
TEST_F(AuditTcpTrust, CommAloneIsNoDaemon) {
  std::string sh = t_.write("host/usr/bin/python3", "#!/bin/true\n");
  proc(600, sh, 100, "/system.slice/x.service");
  auto tcp = audit({{31337, {600}}});
  EXPECT_TRUE(tcp.listening.empty());
  EXPECT_TRUE(tcp.configured.empty());
}

// A config file owned by a user is ignored even for root's dockerd.
TEST_F(AuditTcpTrust, UserOwnedConfigFileIsIgnored) {
  ASSERT_EQ(::chown(t_.path("etc/docker/evil.json").c_str(), 1000, 1000), 0);
  proc(200, root_exe_, 100, "/system.slice/docker.service");
  auto tcp = audit({});
  ASSERT_EQ(tcp.configured.size(), 1u);
  EXPECT_FALSE(tcp.configured[0].tls.tlsverify);
  EXPECT_TRUE(tcp.configured[0].tls.config_file.empty());
}

}  // namespace
}  // namespace sockwarden::audit
