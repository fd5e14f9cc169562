// /proc/net/tcp parsing and dockerd's TLS settings (flags and daemon.json).
#include <gtest/gtest.h>

#include "audit/tcp_exposure.h"
#include "audit_tree.h"

namespace sockwarden::audit {
namespace {

using testing::TempTree;

const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:0948 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0100007F:0948 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 31339 1 0000000000000000 20 4 30 10 -1\n"
    "garbage\n";
const char* kTcp6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 100 0 0 10 0\n";

TEST(AuditTcpExposure, ParsesListenersOnly) {
  auto l = parse_proc_net_tcp(kTcp, false);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].address, "0.0.0.0");
  EXPECT_EQ(l[0].port, 2375);
  EXPECT_EQ(l[0].inode, 31337u);
  EXPECT_FALSE(l[0].loopback);
  EXPECT_EQ(l[1].address, "127.0.0.1");
  EXPECT_EQ(l[1].port, 2376);
  EXPECT_TRUE(l[1].loopback);
}

TEST(AuditTcpExposure, ParsesIpv6) {
  auto l = parse_proc_net_tcp(kTcp6, true);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].address, "::");
  EXPECT_EQ(l[0].port, 2375);
  EXPECT_EQ(l[1].address, "::1");
  EXPECT_TRUE(l[1].loopback);
}

TEST(AuditTcpExposure, DockerdFlags) {
  TempTree t;
  auto plain = docker_tls_from("dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375", t.root);
  EXPECT_FALSE(plain.tls);
  EXPECT_EQ(plain.tcp_hosts, (std::vector<std::string>{"tcp://0.0.0.0:2375"}));
  auto verify = docker_tls_from(std::string("dockerd\0--tlsverify\0--host=tcp://0.0.0.0:2376\0", 45), t.root);
  EXPECT_TRUE(verify.tls);
  EXPECT_TRUE(verify.tlsverify);
  EXPECT_EQ(verify.tcp_hosts, (std::vector<std::string>{"tcp://0.0.0.0:2376"}));
  auto tls_only = docker_tls_from("dockerd --tls -Htcp://0.0.0.0:2376", t.root);
  EXPECT_TRUE(tls_only.tls);
  EXPECT_FALSE(tls_only.tlsverify);
  EXPECT_EQ(tls_only.tcp_hosts.size(), 1u);
  auto off = docker_tls_from("dockerd --tlsverify=false", t.root);
  EXPECT_FALSE(off.tlsverify);
}

TEST(AuditTcpExposure, DaemonJsonUnderRootDir) {
  TempTree t;
  t.write("etc/docker/daemon.json", R"({"hosts":["unix:///var/run/docker.sock","tcp://0.0.0.0:2376"],"tls":true,"tlsverify":true})");
  auto d = docker_tls_from("dockerd", t.root);
  EXPECT_TRUE(d.tlsverify);
  EXPECT_EQ(d.config_file, "/etc/docker/daemon.json");
  EXPECT_EQ(d.tcp_hosts, (std::vector<std::string>{"tcp://0.0.0.0:2376"}));
  t.write("custom.json", R"({"hosts":["tcp://127.0.0.1:2375"]})");
  auto c = docker_tls_from("dockerd --config-file /custom.json", t.root);
  EXPECT_FALSE(c.tls);
  EXPECT_EQ(c.config_file, "/custom.json");
  t.write("bad.json", "{not json");
  EXPECT_FALSE(docker_tls_from("dockerd --config-file=/bad.json", t.root).tls);
}

TEST(AuditTcpExposure, Severities) {
  TcpAudit a;
  TcpExposure e;
  e.daemon.comm = "dockerd";
  e.daemon.pid = 10;
  e.listener = {"0.0.0.0", 2375, 1, false};
  e.tls_known = true;
  a.listening.push_back(e);                  // no TLS
  e.tls.tls = true;
  a.listening.push_back(e);                  // TLS, no verify
  e.tls.tlsverify = true;
  a.listening.push_back(e);                  // verified
  e.tls_known = false;
  e.daemon.comm = "containerd";
  a.listening.push_back(e);
  auto f = tcp_findings(a);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].check, "tcp-no-tls");
  EXPECT_EQ(f[0].severity, Severity::Critical);
  EXPECT_NE(f[0].evidence[1].find("2375"), std::string::npos);
  EXPECT_EQ(f[1].check, "tcp-tls-no-verify");
  EXPECT_EQ(f[1].severity, Severity::Critical);
  EXPECT_EQ(f[2].check, "tcp-tlsverify");
  EXPECT_EQ(f[2].severity, Severity::Medium);
  EXPECT_EQ(f[3].check, "tcp-tls-unknown");
  EXPECT_EQ(f[3].severity, Severity::High);
}

TEST(AuditTcpExposure, RuntimeDaemonNames) {
  EXPECT_TRUE(is_runtime_daemon("dockerd"));
  EXPECT_TRUE(is_runtime_daemon("containerd"));
  EXPECT_FALSE(is_runtime_daemon("docker-proxy"));
  EXPECT_FALSE(is_runtime_daemon("sshd"));
}

}  // namespace
}  // namespace sockwarden::audit
