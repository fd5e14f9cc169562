// sockwarden audit against the real kernel (root): a real listener and a
// connected client found through real sock_diag (also from another network
// namespace), and a real bind mount in a new mount namespace found by inode.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/live_connections.h"
#include "audit/mount_reach.h"
#include "audit/socket_inventory.h"
#include "audit/tcp_exposure.h"
#include "enrich/container_resolver.h"
#include "harness.h"

using namespace swtest;
using namespace sockwarden;
using namespace sockwarden::audit;

namespace {

// A child that runs setup() (in its own process), reports readiness through
// a pipe, then sleeps until killed. Killed and reaped on destruction.
class Holder {
 public:
  explicit Holder(const std::function<bool()>& setup) {
    int p[2];
    if (pipe(p) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      close(p[0]);
      char ok = setup() ? '1' : '0';
      if (write(p[1], &ok, 1) != 1) _exit(1);
      for (;;) pause();
    }
    close(p[1]);
    char ok = '0';
    if (read(p[0], &ok, 1) != 1) ok = '0';
    close(p[0]);
    ready_ = ok == '1';
  }
  ~Holder() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  bool ready() const { return ready_; }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
};

RuntimeSocket inventory_one(const std::string& path) {
  auto socks = inventory_sockets({path}, UserDb{});
  if (socks.size() != 1) throw std::runtime_error("no socket at " + path);
  return socks[0];
}

uint64_t ns_of(pid_t pid, const char* ns) { return ns_inode("/proc", pid, ns); }

TEST(AuditIntegration, LiveConnectionsThroughSockDiag) {
  TempDir dir;
  Listener listener(dir.path + "/d.sock");
  RuntimeSocket s = inventory_one(listener.path());

  int client_fd = -1;
  Holder host_client([&] {
    client_fd = connect_unix(listener.path());
    return client_fd >= 0;
  });
  ASSERT_TRUE(host_client.ready());
  // A client in its own network namespace: its connection is only visible there.
  Holder netns_client([&] {
    if (unshare(CLONE_NEWNET) != 0) return false;
    return connect_unix(listener.path()) >= 0;
  });
  ASSERT_TRUE(netns_client.ready());
  ASSERT_NE(ns_of(netns_client.pid(), "net"), ns_of(getpid(), "net"));

  ContainerResolver resolver;
  ProcessContext ctx("/proc", resolver);
  auto live = find_live_connections({s}, "/proc", ctx);
  std::set<pid_t> pids;
  for (const auto& c : live.connections)
    for (const auto& p : c.clients) pids.insert(p.pid);
  EXPECT_TRUE(pids.count(host_client.pid())) << "connections: " << live.connections.size();
  EXPECT_TRUE(pids.count(netns_client.pid())) << "connections: " << live.connections.size();
  // The listener is held by this test process (the Listener's fd).
  bool listener_seen = false;
  for (const auto& [path, p] : live.listeners) listener_seen = listener_seen || p.pid == getpid();
  EXPECT_TRUE(listener_seen);

  for (const auto& c : live.connections)
    for (const auto& p : c.clients)
      if (p.pid == host_client.pid()) {
        EXPECT_EQ(p.exe, std::filesystem::read_symlink("/proc/self/exe").string());
        EXPECT_FALSE(p.container);
      }
}

TEST(AuditIntegration, BindMountInNewMountNamespaceFoundByInode) {
  TempDir dir;
  std::filesystem::create_directories(dir.path + "/run");
  std::filesystem::create_directories(dir.path + "/elsewhere");
  std::filesystem::create_directories(dir.path + "/plain");
  Listener listener(dir.path + "/run/d.sock");
  RuntimeSocket s = inventory_one(listener.path());

  // unshare -m + mount --bind <dir>/run <dir>/elsewhere: the socket is at
  // <dir>/elsewhere/d.sock only inside that namespace.
  Holder bound([&] {
    if (unshare(CLONE_NEWNS) != 0) return false;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
    return mount((dir.path + "/run").c_str(), (dir.path + "/elsewhere").c_str(), nullptr, MS_BIND, nullptr) == 0;
  });
  ASSERT_TRUE(bound.ready());
  // A bind of the socket file itself to a new name.
  std::ofstream(dir.path + "/plain/other.sock").close();
  Holder file_bound([&] {
    if (unshare(CLONE_NEWNS) != 0) return false;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
    return mount(listener.path().c_str(), (dir.path + "/plain/other.sock").c_str(), nullptr, MS_BIND, nullptr) == 0;
  });
  ASSERT_TRUE(file_bound.ready());
  // A namespace with nothing new: same view as the host, not reported.
  Holder copied([&] { return unshare(CLONE_NEWNS) == 0; });
  ASSERT_TRUE(copied.ready());

  ContainerResolver resolver;
  ProcessContext ctx("/proc", resolver);
  auto reach = find_mount_reach({s}, "/proc", "/proc/self/mountinfo", ns_of(getpid(), "mnt"), ctx);
  const MountReach* dir_hit = nullptr;
  const MountReach* file_hit = nullptr;
  for (const auto& r : reach) {
    if (r.mntns == ns_of(bound.pid(), "mnt")) dir_hit = &r;
    if (r.mntns == ns_of(file_bound.pid(), "mnt")) file_hit = &r;
    EXPECT_NE(r.mntns, ns_of(copied.pid(), "mnt")) << "a copied namespace is not a finding";
  }
  ASSERT_NE(dir_hit, nullptr);
  EXPECT_EQ(dir_hit->path_inside, dir.path + "/elsewhere/d.sock");
  EXPECT_FALSE(dir_hit->socket_itself);
  EXPECT_EQ(dir_hit->socket_ino, s.ino);
  ASSERT_NE(file_hit, nullptr);
  EXPECT_EQ(file_hit->path_inside, dir.path + "/plain/other.sock");
  EXPECT_TRUE(file_hit->socket_itself);
  auto f = mount_reach_findings(reach);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].check, "socket-mounted-namespace");
}

// Root's dockerd (a root-owned copy of perl named dockerd, run by root on the
// host) listening on 127.0.0.1 without --tls flags: the API counts as plain
// text. A process that only calls itself dockerd (comm) is no daemon.
TEST(AuditIntegration, DaemonListeningOnTcpWithoutTls) {
  TempDir dir;
  std::filesystem::create_directories(dir.path + "/bin");
  std::string exe = dir.path + "/bin/dockerd";
  std::filesystem::copy_file("/usr/bin/perl", exe);
  ASSERT_EQ(chmod(exe.c_str(), 0755), 0);
  int pp[2];
  ASSERT_EQ(pipe(pp), 0);
  pid_t daemon = fork();
  if (daemon == 0) {
    dup2(pp[1], 1);
    execl(exe.c_str(), "dockerd", "-MIO::Socket::INET", "-e",
          "my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 4) or exit 1;"
          "$| = 1; print $s->sockport, qq(\\n); sleep 60;",
          static_cast<char*>(nullptr));
    _exit(12);
  }
  close(pp[1]);
  char buf[16] = {};
  ssize_t n = read(pp[0], buf, sizeof buf - 1);
  close(pp[0]);
  ASSERT_GT(n, 0);
  uint16_t port = static_cast<uint16_t>(std::strtoul(buf, nullptr, 10));
  Holder impostor([&] {
    prctl(PR_SET_NAME, "dockerd");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && listen(fd, 4) == 0;
  });
  ASSERT_TRUE(impostor.ready());

  ContainerResolver resolver;
  ProcessContext ctx("/proc", resolver);
  auto owners = socket_owners("/proc");
  TempDir etc;  // an empty root: no daemon.json
  auto tcp = find_tcp_exposure("/proc", etc.path, owners, ctx);
  kill(daemon, SIGKILL);
  waitpid(daemon, nullptr, 0);
  const TcpExposure* mine = nullptr;
  for (const auto& e : tcp.listening) {
    if (e.daemon.pid == daemon) mine = &e;
    EXPECT_NE(e.daemon.pid, impostor.pid()) << "comm alone made a process a runtime daemon";
  }
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->listener.port, port);
  EXPECT_EQ(mine->listener.address, "127.0.0.1");
  EXPECT_TRUE(mine->listener.loopback);
  EXPECT_TRUE(mine->tls_known);
  EXPECT_FALSE(mine->tls.tls);
  bool critical = false;
  for (const auto& f : tcp_findings(tcp))
    critical = critical || (f.check == "tcp-no-tls" && f.severity == Severity::Critical &&
                            f.subject.find(std::to_string(daemon)) != std::string::npos);
  EXPECT_TRUE(critical);
}

std::pair<int, std::string> run_cli(const std::string& args) {
  std::string out_file = "/tmp/sockwarden-audit-it-" + std::to_string(getpid()) + ".out";
  int st = system((std::string(SW_BINARY) + " " + args + " > " + out_file + " 2>/dev/null").c_str());
  std::ifstream f(out_file);
  std::stringstream ss;
  ss << f.rdbuf();
  unlink(out_file.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, ss.str()};
}

TEST(AuditIntegration, CliJsonTextAndExitCodes) {
  TempDir dir;
  Listener listener(dir.path + "/d.sock");
  chmod(listener.path().c_str(), 0666);
  Holder client([&] { return connect_unix(listener.path()) >= 0; });
  ASSERT_TRUE(client.ready());

  auto [rc, out] = run_cli("audit --no-default-sockets --socket " + listener.path() + " --json");
  EXPECT_EQ(rc, 2) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["audit"]["exit_code"], 2);
  bool world = false, conn = false;
  for (const auto& f : j["findings"]) {
    world = world || (f["check"] == "socket-world-writable" && f["severity"] == "critical" && f["socket"] == listener.path());
  }
  for (const auto& c : j["connections"])
    for (const auto& p : c["processes"]) conn = conn || p["pid"] == client.pid();
  EXPECT_TRUE(world) << out;
  EXPECT_TRUE(conn) << out;
  ASSERT_EQ(j["sockets"].size(), 1u);
  EXPECT_EQ(j["sockets"][0]["mode"], "0666");

  auto [trc, text] = run_cli("audit --no-default-sockets --socket " + listener.path());
  EXPECT_EQ(trc, 2);
  EXPECT_NE(text.find("[CRITICAL]"), std::string::npos) << text;
  EXPECT_NE(text.find("pid " + std::to_string(client.pid())), std::string::npos) << text;

  // Usage errors: exit 2 with no report.
  EXPECT_EQ(run_cli("audit --no-default-sockets").first, 2);
  EXPECT_EQ(run_cli("audit --socket @abstract").first, 2);
  // Not root: never a silent "all clear".
  std::string cmd = std::string("setpriv --reuid 65534 --regid 65534 --clear-groups ") + SW_BINARY +
                    " audit --no-default-sockets --socket /nonexistent.sock > /dev/null 2>&1";
  int st = system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(st), 1);
  auto help = run_cli("audit --help");
  EXPECT_EQ(help.first, 0);
  EXPECT_NE(help.second.find("Exit codes: 0"), std::string::npos);
}

}  // namespace
