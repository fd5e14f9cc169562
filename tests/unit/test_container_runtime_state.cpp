// On-disk formats of the container runtimes, from strings and temp files.
// The documents below are modelled on the real files: moby's
// container.Container as serialised to config.v2.json, OCI specs with the
// annotations containerd's CRI plugin and CRI-O write, and containers/storage
// lists as podman and CRI-O leave them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include "enrich/docker_data_root.h"
#include "enrich/runtime_state.h"
#include "enrich/small_file.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const std::string kSandboxId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kImageId = "605c77e624ddb75e6110f997c58876baa13f8754486b461117934b24a9dc3a85";

// config.v2.json as dockerd 24 writes it for `docker run -d --name web nginx:1.25`
// (fields trimmed, structure as in moby's container.Container).
const std::string kDockerConfig = R"({"StreamConfig":{},"State":{"Running":true,"Paused":false,)"
    R"("Restarting":false,"OOMKilled":false,"RemovalInProgress":false,"Dead":false,"Pid":12680,)"
    R"("ExitCode":0,"Error":"","StartedAt":"2024-03-07T03:59:12.405871518Z",)"
    R"("FinishedAt":"0001-01-01T00:00:00Z","Health":null},)"
    R"("ID":")" + kId + R"(","Created":"2024-03-07T03:59:11.534433546Z","Managed":false,)"
    R"("Path":"/docker-entrypoint.sh","Args":["nginx","-g","daemon off;"],)"
    R"("Config":{"Hostname":"4f1c2d3e4f5a","Domainname":"","User":"","AttachStdin":false,)"
    R"("AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{}},"Tty":false,)"
    R"("OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",)"
    R"("NGINX_VERSION=1.25.4"],"Cmd":["nginx","-g","daemon off;"],"Image":"nginx:1.25","Volumes":null,)"
    R"("WorkingDir":"","Entrypoint":["/docker-entrypoint.sh"],"OnBuild":null,)"
    R"("Labels":{"maintainer":"NGINX Docker Maintainers <docker-maint@nginx.com>"},"StopSignal":"SIGQUIT"},)"
    R"("Image":"sha256:)" + kImageId + R"(","NetworkSettings":{"Bridge":"","SandboxID":"",)"
    R"("Networks":{"bridge":{"IPAddress":"172.17.0.2"}}},)"
    R"("LogPath":"/var/lib/docker/containers/)" + kId + "/" + kId + R"(-json.log",)"
    R"("Name":"/web","Driver":"overlay2","OS":"linux","MountLabel":"","ProcessLabel":"",)"
    R"("RestartCount":0,"HasBeenStartedBefore":true,"HasBeenManuallyStopped":false,"MountPoints":{},)"
    R"("SecretReferences":null,"ConfigReferences":null,"AppArmorProfile":"docker-default",)"
    R"("HostnamePath":"/var/lib/docker/containers/)" + kId + R"(/hostname","SeccompProfile":"",)"
    R"("NoNewPrivileges":false,"LocalLogCacheMeta":{"HaveNotifyEnabled":false}})";

TEST(ContainerRuntimeState, DockerConfigV2) {
  auto m = parse_docker_config_v2(kDockerConfig);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "web");         // leading '/' stripped
  EXPECT_EQ(m->image, "nginx:1.25");  // as given, not the top-level sha256 id
  EXPECT_EQ(m->pod_name, "");
  EXPECT_FALSE(m->sandbox);
}

TEST(ContainerRuntimeState, DockerShimLabelsGiveKubernetesNames) {
  const std::string doc = R"({"ID":")" + kId + R"(","Name":"/k8s_nginx_web-0_shop_)"
      R"(1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901_0","Config":{"Image":"sha256:)" + kImageId + R"(",)"
      R"("Labels":{"io.kubernetes.container.name":"nginx","io.kubernetes.docker.type":"container",)"
      R"("io.kubernetes.pod.name":"web-0","io.kubernetes.pod.namespace":"shop",)"
      R"("io.kubernetes.pod.uid":"1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"}}})";
  auto m = parse_docker_config_v2(doc);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "nginx");
  EXPECT_EQ(m->image, "");  // an image id is no name
  EXPECT_EQ(m->pod_name, "web-0");
  EXPECT_EQ(m->pod_namespace, "shop");
  EXPECT_EQ(m->pod_uid, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901");
}

TEST(ContainerRuntimeState, DockerOddInputNeverThrows) {
  EXPECT_FALSE(parse_docker_config_v2(""));
  EXPECT_FALSE(parse_docker_config_v2("{\"Name\":"));
  EXPECT_FALSE(parse_docker_config_v2("[1,2]"));
  EXPECT_FALSE(parse_docker_config_v2("\xff\xfe"));
  auto m = parse_docker_config_v2(R"({"Name":42,"Config":"nope"})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "");
  EXPECT_EQ(m->image, "");
  m = parse_docker_config_v2(R"({"Name":"/)" + std::string(5000, 'a') + R"("})");
  ASSERT_TRUE(m);
  EXPECT_LE(m->name.size(), 512u);
}

TEST(ContainerRuntimeState, ContainerdCriAnnotations) {
  const std::string spec = R"({"ociVersion":"1.1.0","process":{"user":{"uid":0,"gid":0},"args":["nginx"],)"
      R"("cwd":"/"},"root":{"path":"rootfs"},"annotations":{)"
      R"("io.kubernetes.cri.container-name":"nginx","io.kubernetes.cri.container-type":"container",)"
      R"("io.kubernetes.cri.image-name":"docker.io/library/nginx:1.25",)"
      R"("io.kubernetes.cri.sandbox-id":")" + kSandboxId + R"(",)"
      R"("io.kubernetes.cri.sandbox-name":"web-7d9c8b6f5-x2x9k",)"
      R"("io.kubernetes.cri.sandbox-namespace":"shop",)"
      R"("io.kubernetes.cri.sandbox-uid":"1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"},)"
      R"("linux":{"cgroupsPath":"kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice:cri-containerd:)" +
      kId + R"("}})";
  auto m = parse_oci_annotations(spec);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "nginx");
  EXPECT_EQ(m->image, "docker.io/library/nginx:1.25");
  EXPECT_EQ(m->pod_name, "web-7d9c8b6f5-x2x9k");
  EXPECT_EQ(m->pod_namespace, "shop");
  EXPECT_EQ(m->pod_uid, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901");
  EXPECT_FALSE(m->sandbox);
}

TEST(ContainerRuntimeState, ContainerdCriSandbox) {
  auto m = parse_oci_annotations(R"({"annotations":{"io.kubernetes.cri.container-type":"sandbox",)"
                                 R"("io.kubernetes.cri.podsandbox.image-name":"registry.k8s.io/pause:3.9",)"
                                 R"("io.kubernetes.cri.sandbox-name":"web-0","io.kubernetes.cri.sandbox-namespace":"shop"}})");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->sandbox);
  EXPECT_EQ(m->name, "");
  EXPECT_EQ(m->image, "registry.k8s.io/pause:3.9");
  EXPECT_EQ(m->pod_name, "web-0");
}

TEST(ContainerRuntimeState, CrioAnnotations) {
  const std::string spec = R"({"ociVersion":"1.0.2-dev","annotations":{"io.container.manager":"cri-o",)"
      R"("io.kubernetes.container.hash":"5b3f4c1d","io.kubernetes.container.name":"nginx",)"
      R"("io.kubernetes.container.restartCount":"0","io.kubernetes.cri-o.ContainerID":")" + kId + R"(",)"
      R"("io.kubernetes.cri-o.ContainerType":"container","io.kubernetes.cri-o.Created":"2024-03-07T03:59:11Z",)"
      R"("io.kubernetes.cri-o.Image":"docker.io/library/nginx:1.25",)"
      R"("io.kubernetes.cri-o.ImageName":"docker.io/library/nginx:1.25",)"
      R"("io.kubernetes.cri-o.ImageRef":")" + kImageId + R"(",)"
      R"("io.kubernetes.cri-o.Metadata":"{\"name\":\"nginx\"}",)"
      R"("io.kubernetes.cri-o.Name":"k8s_nginx_web-0_shop_1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901_0",)"
      R"("io.kubernetes.cri-o.SandboxID":")" + kSandboxId + R"(",)"
      R"("io.kubernetes.cri-o.TTY":"false","io.kubernetes.pod.name":"web-0",)"
      R"("io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.terminationGracePeriod":"30",)"
      R"("io.kubernetes.pod.uid":"1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",)"
      R"("kubernetes.io/config.seen":"2024-03-07T03:59:00Z","kubernetes.io/config.source":"api"}})";
  auto m = parse_oci_annotations(spec);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->manager, "cri-o");
  EXPECT_EQ(m->name, "nginx");
  EXPECT_EQ(m->image, "docker.io/library/nginx:1.25");
  EXPECT_EQ(m->pod_name, "web-0");
  EXPECT_EQ(m->pod_namespace, "shop");
  EXPECT_EQ(m->pod_uid, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901");
}

TEST(ContainerRuntimeState, CrioImageFallsBackButNeverToAnId) {
  auto m = parse_oci_annotations(R"({"annotations":{"io.kubernetes.cri-o.Image":"quay.io/app:2"}})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->image, "quay.io/app:2");
  m = parse_oci_annotations(R"({"annotations":{"io.kubernetes.cri-o.Image":"sha256:)" + kImageId + R"("}})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->image, "");
}

TEST(ContainerRuntimeState, NerdctlPodmanAndPlainSpecs) {
  auto m = parse_oci_annotations(R"({"annotations":{"nerdctl/name":"cache","nerdctl/namespace":"default"}})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "cache");
  m = parse_oci_annotations(R"({"annotations":{"io.container.manager":"libpod",)"
                            R"("io.podman.annotations.autoremove":"TRUE","org.opencontainers.image.stopSignal":"15"}})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->manager, "libpod");
  EXPECT_EQ(m->name, "");
  m = parse_oci_annotations(R"({"ociVersion":"1.1.0","process":{"args":["sh"]}})");  // ctr run
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "");
  EXPECT_FALSE(parse_oci_annotations("not json"));
  EXPECT_FALSE(parse_oci_annotations("\"a string\""));
}

// podman's containers.json (a real `podman run` entry, ids changed).
const std::string kPodmanList = R"([{"id":")" + kId + R"(","names":["stoic_cerf"],)"
    R"("image":")" + kImageId + R"(","layer":"206efdc36850d2f4d47776ef079828b712e07be796209122ba988df4a3e1362b",)"
    R"("metadata":"{\"image-name\":\"quay.io/centos7/httpd-24-centos7:latest\",\"image-id\":\")" + kImageId +
    R"(\",\"name\":\"stoic_cerf\",\"created-at\":1711009710}","created":"2024-03-21T08:28:30.380877163Z",)"
    R"("flags":{"MountLabel":"system_u:object_r:container_file_t:s0:c186,c931"}}])";

TEST(ContainerRuntimeState, PodmanContainersJson) {
  auto list = parse_storage_containers(kPodmanList);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, kId);
  EXPECT_EQ((*list)[0].meta.name, "stoic_cerf");
  EXPECT_EQ((*list)[0].meta.image, "quay.io/centos7/httpd-24-centos7:latest");
  EXPECT_EQ((*list)[0].meta.pod_name, "");
}

TEST(ContainerRuntimeState, CrioVolatileContainersJson) {
  // CRI-O's RuntimeContainerMetadata: the sandbox entry carries namespace and
  // uid, the container entry only names its pod and sandbox.
  const std::string list = R"([{"id":")" + kSandboxId + R"(","names":["k8s_POD_web-0_shop_1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901_0","web-0"],)"
      R"("metadata":"{\"pod\":true,\"pod-name\":\"web-0\",\"pod-id\":\")" + kSandboxId +
      R"(\",\"image-name\":\"registry.k8s.io/pause:3.9\",\"image-id\":\"e6f18\",)"
      R"(\"name\":\"k8s_POD_web-0_shop_1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901_0\",\"metadata-name\":\"web-0\",)"
      R"(\"uid\":\"1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901\",\"namespace\":\"shop\",\"created-at\":1709783951}"},)"
      R"({"id":")" + kId + R"(","names":["k8s_nginx_web-0_shop_1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901_0"],)"
      R"("metadata":"{\"pod-name\":\"web-0\",\"pod-id\":\")" + kSandboxId +
      R"(\",\"image-name\":\"docker.io/library/nginx:1.25\",\"image-id\":\")" + kImageId +
      R"(\",\"name\":\"k8s_nginx_web-0_shop_1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901_0\",\"metadata-name\":\"nginx\",)"
      R"(\"created-at\":1709783952}"},)"
      R"({"id":"not-an-id"},17,{"id":")" + std::string(64, 'e') + R"(","names":["fallback"],"metadata":"{broken"}])";
  auto parsed = parse_storage_containers(list);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 3u);
  const auto& sandbox = (*parsed)[0].meta;
  EXPECT_TRUE(sandbox.sandbox);
  EXPECT_EQ(sandbox.pod_namespace, "shop");
  EXPECT_EQ(sandbox.pod_uid, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901");
  const auto& ctr = (*parsed)[1].meta;
  EXPECT_FALSE(ctr.sandbox);
  EXPECT_EQ(ctr.name, "nginx");  // metadata-name, not the k8s_ name
  EXPECT_EQ(ctr.image, "docker.io/library/nginx:1.25");
  EXPECT_EQ(ctr.pod_name, "web-0");
  EXPECT_EQ(ctr.pod_id, kSandboxId);
  EXPECT_EQ((*parsed)[2].meta.name, "fallback");  // unparsable metadata: first name
  EXPECT_FALSE(parse_storage_containers("{}"));
  EXPECT_FALSE(parse_storage_containers(""));
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_rtstate_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string write(const std::string& rel, const std::string& text) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  fs::path root_;
};

using ContainerSmallFile = TempDir;

TEST_F(ContainerSmallFile, ReadsRegularFilesWithinTheLimit) {
  std::string p = write("a.json", "{\"x\":1}");
  EXPECT_EQ(read_small_file(p, 100).value_or("?"), "{\"x\":1}");
  EXPECT_EQ(read_small_file(p, 7).value_or("?"), "{\"x\":1}");
  EXPECT_FALSE(read_small_file(p, 6));
  EXPECT_EQ(read_small_file(write("empty", ""), 10).value_or("?"), "");
  EXPECT_FALSE(read_small_file((root_ / "missing").string(), 10));
  EXPECT_FALSE(read_small_file(root_.string(), 10));  // a directory
}

TEST_F(ContainerSmallFile, RefusesSymlinksUnlessAsked) {
  std::string target = write("real.json", "{}");
  fs::create_symlink(target, root_ / "link.json");
  EXPECT_FALSE(read_small_file((root_ / "link.json").string(), 100));
  EXPECT_EQ(read_small_file((root_ / "link.json").string(), 100, true).value_or("?"), "{}");
}

TEST_F(ContainerSmallFile, FifoNeitherBlocksNorReads) {
  std::string fifo = (root_ / "containers.json").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return read_small_file(fifo, 100); });
  ASSERT_EQ(result.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_FALSE(result.get());
}

// Devices are refused from an O_PATH handle, before any open for reading
// (whose driver handler could act: /dev/watchdog arms a reboot timer).
TEST_F(ContainerSmallFile, DevicesAndForeignOwnersAreRefused) {
  EXPECT_FALSE(read_small_file("/dev/null", 100));
  EXPECT_FALSE(read_small_file("/dev/null", 100, /*follow_symlinks=*/true));
  std::string p = write("state.json", "{}");
  const auto me = static_cast<uint32_t>(::getuid());
  EXPECT_EQ(read_small_file(p, 100, false, me).value_or("?"), "{}");
  EXPECT_FALSE(read_small_file(p, 100, false, me + 1)) << "owned by someone else than required";
}

using ContainerDockerDataRoot = TempDir;

std::string nul_args(std::initializer_list<std::string> args) {
  std::string out;
  for (const auto& a : args) {
    out += a;
    out += '\0';
  }
  return out;
}

TEST_F(ContainerDockerDataRoot, DefaultsWhenNothingIsSet) {
  EXPECT_EQ(docker_data_root_from((root_ / "missing.json").string(), ""), "/var/lib/docker");
  EXPECT_EQ(docker_data_root_from(write("daemon.json", R"({"log-driver":"json-file"})"), "/usr/bin/dockerd"),
            "/var/lib/docker");
  EXPECT_EQ(docker_data_root_from(write("bad.json", "{not json"), ""), "/var/lib/docker");
  EXPECT_EQ(docker_data_root_from(write("num.json", R"({"data-root":7})"), ""), "/var/lib/docker");
}

TEST_F(ContainerDockerDataRoot, DaemonJson) {
  EXPECT_EQ(docker_data_root_from(write("daemon.json", R"({"data-root":"/srv/docker/"})"), ""), "/srv/docker");
  EXPECT_EQ(docker_data_root_from(write("old.json", R"({"graph":"/data/docker"})"), ""), "/data/docker");
  std::string target = write("nix/store/daemon.json", R"({"data-root":"/nix-docker"})");
  fs::create_symlink(target, root_ / "etc-daemon.json");
  EXPECT_EQ(docker_data_root_from((root_ / "etc-daemon.json").string(), ""), "/nix-docker");
}

TEST_F(ContainerDockerDataRoot, CommandLineForms) {
  std::string none = (root_ / "none.json").string();
  EXPECT_EQ(docker_data_root_from(none, nul_args({"/usr/bin/dockerd", "-H", "fd://", "--data-root", "/mnt/d"})),
            "/mnt/d");
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "--data-root=/mnt/with space"})), "/mnt/with space");
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "-g", "/g1"})), "/g1");
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "-g=/g2"})), "/g2");
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "-g/g3"})), "/g3");
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "--graph=/g4"})), "/g4");
  EXPECT_EQ(docker_data_root_from(none, "/usr/bin/dockerd --data-root /spaces/ok"), "/spaces/ok");
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "--data-root", "/a", "--data-root=/b"})), "/b");
  // -G is the socket group, not -g.
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "-G", "docker"})), "/var/lib/docker");
  // After "--" nothing is a flag; a dangling flag has no value.
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "--", "--data-root", "/x"})), "/var/lib/docker");
  EXPECT_EQ(docker_data_root_from(none, nul_args({"dockerd", "--data-root"})), "/var/lib/docker");
  // The program name itself is never parsed.
  EXPECT_EQ(docker_data_root_from(none, nul_args({"-g/nope"})), "/var/lib/docker");
}

TEST_F(ContainerDockerDataRoot, CommandLineBeatsConfigAndNamesTheConfigFile) {
  std::string etc = write("daemon.json", R"({"data-root":"/from-etc"})");
  EXPECT_EQ(docker_data_root_from(etc, nul_args({"dockerd", "--data-root", "/from-flag"})), "/from-flag");
  std::string other = write("other.json", R"({"data-root":"/from-other"})");
  EXPECT_EQ(docker_data_root_from(etc, nul_args({"dockerd", "--config-file", other})), "/from-other");
  EXPECT_EQ(docker_data_root_from(etc, nul_args({"dockerd", "--config-file=" + other})), "/from-other");
}

}  // namespace
}  // namespace sockwarden
