// Docker's hostconfig.json / config.v2.json, OCI specs, and the posture findings.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "audit/container_posture.h"
#include "audit_tree.h"
#include "enrich/docker_host_config.h"

namespace sockwarden::audit {
namespace {

using testing::TempTree;

const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kC = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

std::string v2(const std::string& name, bool running, const std::string& mount_points) {
  return R"({"Name":"/)" + name + R"(","Config":{"Image":"local/busybox:1","Labels":{}},"State":{"Running":)" +
         (running ? "true" : "false") + R"(,"Pid":123},"MountPoints":{)" + mount_points + "}}";
}

std::string mp(const std::string& src, const std::string& dst, bool rw) {
  return "\"" + dst + R"(":{"Source":")" + src + R"(","Destination":")" + dst + R"(","RW":)" + (rw ? "true" : "false") +
         R"(,"Type":"bind"})";
}

std::vector<std::string> checks(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.check + ":" + severity_name(f.severity));
  return out;
}

bool has(const std::vector<std::string>& xs, const std::string& x) { return std::count(xs.begin(), xs.end(), x) > 0; }

TEST(AuditHostConfig, ParsesSecurityFields) {
  auto h = parse_docker_hostconfig(
      R"({"Privileged":true,"PidMode":"host","NetworkMode":"host","IpcMode":"host","CapAdd":["SYS_ADMIN",3],)"
      R"("Devices":[{"PathOnHost":"/dev/kmsg","PathInContainer":"/dev/kmsg","CgroupPermissions":"rwm"}],)"
      R"("SecurityOpt":["seccomp=unconfined"],"Binds":["/:/host","/etc:/e:ro,z","vol:/data"],)"
      R"("Mounts":[{"Type":"bind","Source":"/var/run/docker.sock","Target":"/s","ReadOnly":true}]})");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->privileged);
  EXPECT_EQ(h->pid_mode, "host");
  EXPECT_EQ(h->network_mode, "host");
  EXPECT_EQ(h->ipc_mode, "host");
  EXPECT_EQ(h->cap_add, (std::vector<std::string>{"SYS_ADMIN"}));
  EXPECT_EQ(h->devices, (std::vector<std::string>{"/dev/kmsg:/dev/kmsg"}));
  EXPECT_EQ(h->security_opt, (std::vector<std::string>{"seccomp=unconfined"}));
  ASSERT_EQ(h->mounts.size(), 4u);
  EXPECT_EQ(h->mounts[0].source, "/");
  EXPECT_EQ(h->mounts[0].destination, "/host");
  EXPECT_TRUE(h->mounts[0].read_write);
  EXPECT_FALSE(h->mounts[1].read_write);
  EXPECT_EQ(h->mounts[2].type, "volume");
  EXPECT_EQ(h->mounts[3].destination, "/s");
  EXPECT_FALSE(h->mounts[3].read_write);
  EXPECT_FALSE(parse_docker_hostconfig("[]"));
  EXPECT_FALSE(parse_docker_hostconfig("nope"));
}

TEST(AuditHostConfig, ParsesStateAndMountPoints) {
  auto s = parse_docker_state(v2("web", true, mp("/", "/host", true)));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->running);
  EXPECT_EQ(s->pid, 123);
  ASSERT_EQ(s->mount_points.size(), 1u);
  EXPECT_EQ(s->mount_points[0].source, "/");
}

TEST(AuditContainerPosture, DockerDataRootEndToEnd) {
  TempTree t;
  std::string sock = t.socket("run/docker.sock");
  // A: the socket mounted at another path. B: privileged with / mounted. C: nothing.
  t.write("docker/containers/" + kA + "/config.v2.json", v2("sock-user", true, mp(sock, "/var/run/other.sock", true)));
  t.write("docker/containers/" + kA + "/hostconfig.json", R"({"Binds":[")" + sock + R"(:/var/run/other.sock"]})");
  t.write("docker/containers/" + kB + "/config.v2.json", v2("priv-root", false, mp("/", "/host", true)));
  t.write("docker/containers/" + kB + "/hostconfig.json", R"({"Privileged":true,"Binds":["/:/host"]})");
  t.write("docker/containers/" + kC + "/config.v2.json", v2("plain", true, ""));
  t.write("docker/containers/" + kC + "/hostconfig.json", R"({"NetworkMode":"none"})");
  t.write("docker/containers/not-an-id/config.v2.json", v2("junk", true, ""));

  auto cs = docker_postures({t.path("docker"), t.path("docker")});
  ASSERT_EQ(cs.size(), 3u);
  std::sort(cs.begin(), cs.end(), [](auto& a, auto& b) { return a.id < b.id; });
  EXPECT_EQ(cs[0].name, "sock-user");
  EXPECT_TRUE(cs[0].running);
  EXPECT_EQ(cs[1].name, "priv-root");
  EXPECT_FALSE(cs[1].running);
  EXPECT_TRUE(cs[1].config.privileged);

  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  RuntimeSocket s;
  s.path = sock;
  s.realpath = sock;
  s.dev = st.st_dev;
  s.ino = st.st_ino;

  auto fa = posture_findings(cs[0], {s});
  ASSERT_EQ(fa.size(), 1u) << ::testing::PrintToString(checks(fa));
  EXPECT_EQ(fa[0].check, "socket-mounted");
  EXPECT_EQ(fa[0].severity, Severity::Critical);
  EXPECT_EQ(fa[0].container_name, "sock-user");
  EXPECT_NE(fa[0].title.find("/var/run/other.sock"), std::string::npos);

  auto fb = checks(posture_findings(cs[1], {s}));
  EXPECT_TRUE(has(fb, "privileged-host-root:critical")) << ::testing::PrintToString(fb);
  EXPECT_FALSE(has(fb, "socket-mounted:critical"));  // covered by the host-root finding

  EXPECT_TRUE(posture_findings(cs[2], {s}).empty());
}

TEST(AuditContainerPosture, DirectoryAboveTheSocketMatchesByInode) {
  TempTree t;
  std::string sock = t.socket("run/docker.sock");
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  RuntimeSocket s;
  s.path = sock;
  s.realpath = sock;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  ContainerPosture c;
  c.runtime = "docker";
  c.id = kA;
  c.name = "dir";
  c.config.mounts = {{t.path("run"), "/hostrun", true, "bind"}, {t.path("run-other"), "/x", true, "bind"}};
  auto f = posture_findings(c, {s});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].check, "socket-mounted");
  EXPECT_NE(f[0].title.find("/hostrun/docker.sock"), std::string::npos);
}

TEST(AuditContainerPosture, OtherRisks) {
  ContainerPosture c;
  c.runtime = "docker";
  c.id = kA;
  c.name = "x";
  c.config.pid_mode = "host";
  c.config.network_mode = "host";
  c.config.cap_add = {"SYS_PTRACE", "NET_BIND_SERVICE"};
  c.config.devices = {"/dev/sda:/dev/sda"};
  c.config.security_opt = {"apparmor=unconfined"};
  c.config.mounts = {{"/etc", "/hostetc", false, "bind"}, {"/", "/h", false, "bind"}, {"", "/data", true, "volume"}};
  auto f = checks(posture_findings(c, {}));
  for (const char* want : {"host-pid:high", "host-network:medium", "cap-add:high", "devices:medium",
                           "unconfined:medium", "sensitive-mount:medium", "host-root-mount:high"})
    EXPECT_TRUE(has(f, want)) << want << " in " << ::testing::PrintToString(f);
  c.config.mounts = {{"/", "/h", true, "bind"}};
  EXPECT_TRUE(has(checks(posture_findings(c, {})), "host-root-mount:critical"));
  c.config.privileged = true;
  EXPECT_TRUE(has(checks(posture_findings(c, {})), "privileged-host-root:critical"));
  c.config.mounts.clear();
  EXPECT_TRUE(has(checks(posture_findings(c, {})), "privileged:high"));
}

TEST(AuditContainerPosture, OciSpec) {
  auto h = posture_from_oci_spec(
      R"({"mounts":[{"destination":"/proc","type":"proc","source":"proc"},)"
      R"({"destination":"/host/d.sock","type":"bind","source":"/run/docker.sock","options":["rbind","rw"]},)"
      R"({"destination":"/etc/x","source":"/etc","options":["rbind","ro"]}],)"
      R"("process":{"capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_PTRACE"]}},)"
      R"("linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"network","path":"/proc/1/ns/net"}],)"
      R"("seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}})");
  ASSERT_TRUE(h);
  ASSERT_EQ(h->mounts.size(), 2u);
  EXPECT_EQ(h->mounts[0].source, "/run/docker.sock");
  EXPECT_FALSE(h->mounts[1].read_write);
  EXPECT_EQ(h->pid_mode, "");
  EXPECT_EQ(h->network_mode, "");  // joined by path: a pod's namespace, not the host's
  EXPECT_EQ(h->ipc_mode, "host");
  EXPECT_EQ(h->cap_add, (std::vector<std::string>{"CAP_SYS_PTRACE"}));
  EXPECT_FALSE(h->privileged);
  EXPECT_TRUE(h->security_opt.empty());
}

TEST(AuditContainerPosture, ContainerdTaskState) {
  TempTree t;
  t.write("tasks/default/" + kA + "/config.json",
          R"({"annotations":{"nerdctl/name":"nd"},"mounts":[{"destination":"/h","type":"bind","source":"/"}],)"
          R"("linux":{"namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"}]}})");
  t.write("tasks/moby/" + kB + "/config.json", R"({"mounts":[]})");  // Docker's: audited from dockerd's state
  auto cs = containerd_postures(t.path("tasks"));
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].name, "nd");
  EXPECT_EQ(cs[0].runtime, "containerd");
  EXPECT_TRUE(has(checks(posture_findings(cs[0], {})), "host-root-mount:critical"));
}

TEST(AuditContainerPosture, CrioAndPodmanRunRoot) {
  TempTree t;
  t.write("run/" + kA + "/userdata/config.json",
          R"({"annotations":{"io.kubernetes.container.name":"api","io.kubernetes.cri-o.ImageName":"quay.io/a:1"},)"
          R"("mounts":[{"destination":"/host/etc","type":"bind","source":"/etc","options":["rbind","rw"]}],)"
          R"("linux":{"namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"mount"}],"seccomp":{}}})");
  t.write("run/" + kB + "/userdata/config.json",
          R"({"annotations":{"io.container.manager":"libpod"},"linux":{"namespaces":[{"type":"ipc"},{"type":"network"}],"seccomp":{}}})");
  t.write("run/" + kC + "/userdata/config.json",
          R"({"annotations":{"io.kubernetes.cri-o.ContainerType":"sandbox"}})");
  auto cs = storage_postures(t.path("run"));
  ASSERT_EQ(cs.size(), 2u);
  std::sort(cs.begin(), cs.end(), [](auto& a, auto& b) { return a.id < b.id; });
  EXPECT_EQ(cs[0].runtime, "cri-o");
  EXPECT_EQ(cs[0].name, "api");
  EXPECT_EQ(cs[0].image, "quay.io/a:1");
  EXPECT_TRUE(has(checks(posture_findings(cs[0], {})), "sensitive-mount:high"));
  EXPECT_EQ(cs[1].runtime, "podman");
  EXPECT_TRUE(has(checks(posture_findings(cs[1], {})), "host-pid:high"));
}

TEST(AuditContainerPosture, SensitivePaths) {
  EXPECT_TRUE(is_sensitive_host_path("/etc"));
  EXPECT_TRUE(is_sensitive_host_path("/var/lib/docker/"));
  EXPECT_FALSE(is_sensitive_host_path("/srv/app"));
  EXPECT_FALSE(is_sensitive_host_path("/"));  // reported as host-root, not here
}

}  // namespace
}  // namespace sockwarden::audit
