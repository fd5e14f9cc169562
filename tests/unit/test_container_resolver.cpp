// ContainerResolver over temp trees laid out like each runtime's real state.
#include "enrich/container_resolver.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace sockwarden {
namespace {

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const std::string kId2 = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";
const std::string kOuter = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kSandboxId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const std::string kUid = "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";
const std::string kPodSlice = "/kubepods.slice/kubepods-burstable.slice/"
                              "kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice";

std::string docker_config(const std::string& id, const std::string& name, const std::string& image) {
  return R"({"StreamConfig":{},"State":{"Running":true,"Pid":4242,"ExitCode":0},"ID":")" + id +
         R"(","Created":"2024-03-07T03:59:11.534433546Z","Path":"/docker-entrypoint.sh","Args":[],)"
         R"("Config":{"Hostname":")" + id.substr(0, 12) + R"(","Image":")" + image +
         R"(","Labels":{}},"Image":"sha256:605c77e624ddb75e6110f997c58876baa13f8754486b461117934b24a9dc3a85",)"
         R"("Name":"/)" + name + R"(","Driver":"overlay2","OS":"linux","RestartCount":0,"MountPoints":{}})";
}

std::string cri_spec(const std::string& name, const std::string& image) {
  return R"({"ociVersion":"1.1.0","root":{"path":"rootfs"},"annotations":{)"
         R"("io.kubernetes.cri.container-name":")" + name + R"(","io.kubernetes.cri.container-type":"container",)"
         R"("io.kubernetes.cri.image-name":")" + image + R"(","io.kubernetes.cri.sandbox-id":")" + kSandboxId +
         R"(","io.kubernetes.cri.sandbox-name":"web-0","io.kubernetes.cri.sandbox-namespace":"shop",)"
         R"("io.kubernetes.cri.sandbox-uid":")" + kUid + R"("}})";
}

std::string crio_spec(const std::string& name) {
  return R"({"ociVersion":"1.0.2-dev","annotations":{"io.container.manager":"cri-o",)"
         R"("io.kubernetes.container.name":")" + name + R"(","io.kubernetes.cri-o.ContainerType":"container",)"
         R"("io.kubernetes.cri-o.ImageName":"quay.io/app/api:2.1","io.kubernetes.pod.name":"api-0",)"
         R"("io.kubernetes.pod.namespace":"prod","io.kubernetes.pod.uid":")" + kUid + R"("}})";
}

std::string storage_entry(const std::string& id, const std::string& metadata_json, const std::string& name) {
  std::string escaped;
  for (char c : metadata_json) {
    if (c == '"') escaped += '\\';
    escaped += c;
  }
  return R"({"id":")" + id + R"(","names":[")" + name + R"("],"image":"605c77e624ddb75e6110f997c58876baa13f8754486b461117934b24a9dc3a85",)"
         R"("layer":"206efdc36850d2f4d47776ef079828b712e07be796209122ba988df4a3e1362b","metadata":")" + escaped +
         R"(","created":"2024-03-21T08:28:30.380877163Z","flags":{}})";
}

class ContainerResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_ctr_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    const std::string r = root_.string();
    roots_.docker_data_root = r + "/var/lib/docker";
    roots_.containerd_state = r + "/run/containerd/io.containerd.runtime.v2.task";
    roots_.crio_state = r + "/run/containers/storage/overlay-containers";
    roots_.crio_config = r + "/var/lib/containers/storage/overlay-containers";
    roots_.podman_rootful = roots_.crio_config;  // shared containers/storage, as on a real host
    roots_.podman_rootful_run = roots_.crio_state;
    roots_.podman_rootless_glob = r + "/home/*/.local/share/containers/storage/overlay-containers";
    roots_.podman_rootless_run_glob = r + "/run/user/*/containers/overlay-containers";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  void add_docker(const std::string& id, const std::string& name, const std::string& image) {
    write(roots_.docker_data_root + "/containers/" + id + "/config.v2.json", docker_config(id, name, image));
  }

  ContainerResolver make(size_t max_entries = 64, std::chrono::milliseconds miss_retry = 0ms) {
    return ContainerResolver(roots_, max_entries, [this] { return now_; }, miss_retry);
  }

  fs::path root_;
  RuntimeRoots roots_;
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(ContainerResolverTest, DockerFromConfigV2) {
  add_docker(kId, "web", "nginx:1.25");
  auto r = make();
  auto c = r.resolve("/system.slice/docker-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "docker");
  EXPECT_EQ(c->ref.id, kId);
  EXPECT_EQ(c->name, "web");
  EXPECT_EQ(c->image, "nginx:1.25");
  EXPECT_EQ(c->pod_name, "");
  c = r.resolve("/docker/" + kId);  // cgroupfs driver, same container
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "web");
}

TEST_F(ContainerResolverTest, ContainerdCriInAnyNamespace) {
  write(roots_.containerd_state + "/moby/" + kId2 + "/config.json", R"({"ociVersion":"1.1.0"})");
  write(roots_.containerd_state + "/k8s.io/" + kId + "/config.json", cri_spec("nginx", "docker.io/library/nginx:1.25"));
  auto r = make();
  auto c = r.resolve(kPodSlice + "/cri-containerd-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "containerd");
  EXPECT_EQ(c->name, "nginx");
  EXPECT_EQ(c->image, "docker.io/library/nginx:1.25");
  EXPECT_EQ(c->pod_name, "web-0");
  EXPECT_EQ(c->pod_namespace, "shop");
  EXPECT_EQ(c->pod_uid, kUid);
}

TEST_F(ContainerResolverTest, ContainerdSandboxIsNamedPod) {
  write(roots_.containerd_state + "/k8s.io/" + kSandboxId + "/config.json",
        R"({"annotations":{"io.kubernetes.cri.container-type":"sandbox","io.kubernetes.cri.sandbox-name":"web-0",)"
        R"("io.kubernetes.cri.podsandbox.image-name":"registry.k8s.io/pause:3.9"}})");
  auto r = make();
  auto c = r.resolve(kPodSlice + "/cri-containerd-" + kSandboxId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "POD");
  EXPECT_EQ(c->image, "registry.k8s.io/pause:3.9");
  EXPECT_EQ(c->pod_uid, kUid);  // from the cgroup path: this containerd recorded none
}

TEST_F(ContainerResolverTest, PlainContainerdGetsShortIdAndNerdctlItsName) {
  write(roots_.containerd_state + "/default/" + kId + "/config.json", R"({"ociVersion":"1.1.0","process":{}})");
  write(roots_.containerd_state + "/default/" + kId2 + "/config.json",
        R"({"annotations":{"nerdctl/name":"cache","nerdctl/namespace":"default"}})");
  auto r = make();
  auto c = r.resolve("/default/" + kId);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "containerd");
  EXPECT_FALSE(c->ref.runtime_inferred);
  EXPECT_EQ(c->name, kId.substr(0, 12));
  EXPECT_EQ(c->image, "");
  c = r.resolve("/nerdctl.slice/nerdctl-" + kId2 + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "cache");
}

TEST_F(ContainerResolverTest, CrioFromRunDirThenGraphRoot) {
  write(roots_.crio_state + "/" + kId + "/userdata/config.json", crio_spec("api"));
  write(roots_.crio_config + "/" + kId2 + "/userdata/config.json", crio_spec("worker"));  // run dir lost
  auto r = make();
  auto c = r.resolve(kPodSlice + "/crio-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "cri-o");
  EXPECT_EQ(c->name, "api");
  EXPECT_EQ(c->image, "quay.io/app/api:2.1");
  EXPECT_EQ(c->pod_name, "api-0");
  EXPECT_EQ(c->pod_namespace, "prod");
  EXPECT_EQ(c->pod_uid, kUid);
  c = r.resolve(kPodSlice + "/crio-" + kId2 + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "worker");
}

TEST_F(ContainerResolverTest, CrioFromVolatileContainersListWithSandboxNamespace) {
  fs::create_directories(roots_.crio_config + "/" + kId + "/userdata");  // no config.json
  write(roots_.crio_config + "/volatile-containers.json",
        "[" +
            storage_entry(kSandboxId,
                          R"({"pod":true,"pod-name":"api-0","pod-id":")" + kSandboxId +
                              R"(","image-name":"registry.k8s.io/pause:3.9","name":"k8s_POD_api-0_prod_x_0",)"
                              R"("metadata-name":"api-0","uid":")" + kUid + R"(","namespace":"prod","created-at":1})",
                          "k8s_POD_api-0_prod_x_0") +
            "," +
            storage_entry(kId,
                          R"({"pod-name":"api-0","pod-id":")" + kSandboxId +
                              R"(","image-name":"quay.io/app/api:2.1","name":"k8s_api_api-0_prod_x_0",)"
                              R"("metadata-name":"api","created-at":2})",
                          "k8s_api_api-0_prod_x_0") +
            "]");
  write(roots_.crio_config + "/containers.json", "[]");
  auto r = make();
  auto c = r.resolve("/kubepods.slice/kubepods-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/crio-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "cri-o");
  EXPECT_EQ(c->name, "api");
  EXPECT_EQ(c->image, "quay.io/app/api:2.1");
  EXPECT_EQ(c->pod_name, "api-0");
  EXPECT_EQ(c->pod_namespace, "prod");
  EXPECT_EQ(c->pod_uid, kUid);
}

TEST_F(ContainerResolverTest, PodmanRootfulFromContainersJson) {
  fs::create_directories(roots_.podman_rootful + "/" + kId + "/userdata");
  write(roots_.podman_rootful + "/" + kId + "/userdata/config.json",
        R"({"annotations":{"io.container.manager":"libpod","org.opencontainers.image.stopSignal":"15"}})");
  write(roots_.podman_rootful + "/containers.json",
        "[" +
            storage_entry(kId,
                          R"({"image-name":"docker.io/library/alpine:latest","image-id":"605c77e6","name":"web",)"
                          R"("created-at":1711009710})",
                          "web") +
            "]");
  auto r = make();
  auto c = r.resolve("/machine.slice/libpod-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "podman");
  EXPECT_EQ(c->name, "web");
  EXPECT_EQ(c->image, "docker.io/library/alpine:latest");
  EXPECT_TRUE(c->trusted) << "root's store, a system cgroup";
}

// What a real `podman --storage-driver vfs --cgroup-manager cgroupfs` writes (the e2e runs one):
// the storage dir is named after the driver and the cgroup is /libpod_parent/libpod-<id>
// (no .scope: cgroupfs manager).
TEST_F(ContainerResolverTest, PodmanWithAnotherStorageDriverAndCgroupfsManager) {
  std::string vfs = roots_.podman_rootful.substr(0, roots_.podman_rootful.rfind('/')) + "/vfs-containers";
  fs::create_directories(vfs + "/" + kId + "/userdata");
  write(vfs + "/containers.json",
        "[" + storage_entry(kId, R"({"image-name":"localhost/busybox:1","name":"pmtest"})", "pmtest") + "]");
  auto r = make();
  auto c = r.resolve("/libpod_parent/libpod-" + kId);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "podman");
  EXPECT_EQ(c->name, "pmtest");
  EXPECT_EQ(c->image, "localhost/busybox:1");
}

TEST_F(ContainerResolverTest, PodmanRootlessViaHomeGlobAndTransientRunRoot) {
  std::string home_store = root_.string() + "/home/alice/.local/share/containers/storage/overlay-containers";
  fs::create_directories(home_store + "/" + kId + "/userdata");
  write(home_store + "/containers.json",
        "[" + storage_entry(kId, R"({"image-name":"docker.io/library/redis:7","name":"cache"})", "cache") + "]");
  // Another user's store is unreadable garbage: it must not hide alice's.
  write(root_.string() + "/home/bob/.local/share/containers/storage/overlay-containers/containers.json", "{{{");

  std::string run_store = root_.string() + "/run/user/1001/containers/overlay-containers";
  fs::create_directories(run_store + "/" + kId2 + "/userdata");
  write(run_store + "/volatile-containers.json",
        "[" + storage_entry(kId2, R"({"image-name":"quay.io/podman/hello:latest","name":"hello"})", "hello") + "]");

  auto r = make();
  auto c = r.resolve("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "podman");
  EXPECT_EQ(c->name, "cache");
  EXPECT_EQ(c->image, "docker.io/library/redis:7");
  EXPECT_FALSE(c->trusted) << "a user's own store names, never vouches";
  c = r.resolve("/user.slice/user-1001.slice/user@1001.service/user.slice/libpod-" + kId2 + ".scope/container");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "hello");
  EXPECT_FALSE(c->trusted);
}

// The forgeries of issue 20: a user's rootless store lists the id of a real
// root container under a trusted name, or a user names a delegated cgroup
// "libpod-<real id>.scope". Either way the name may show, but is untrusted.
TEST_F(ContainerResolverTest, RootlessStoresAndDelegatedCgroupsGrantNoTrust) {
  std::string home_store = root_.string() + "/home/mallory/.local/share/containers/storage/overlay-containers";
  fs::create_directories(home_store + "/" + kId + "/userdata");
  write(home_store + "/containers.json",
        "[" + storage_entry(kId, R"({"image-name":"company/agent:1","name":"monitoring-agent"})", "monitoring-agent") +
            "]");
  auto r = make();
  auto c = r.resolve("/machine.slice/libpod-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "monitoring-agent");
  EXPECT_FALSE(c->trusted) << "named only by a user's store";

  // A real rootful container, reached through a delegated cgroup a user made.
  fs::create_directories(roots_.podman_rootful + "/" + kId2 + "/userdata");
  write(roots_.podman_rootful + "/containers.json",
        "[" + storage_entry(kId2, R"({"image-name":"company/agent:1","name":"agent"})", "agent") + "]");
  c = r.resolve("/machine.slice/libpod-" + kId2 + ".scope");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->trusted);
  c = r.resolve("/user.slice/user-1000.slice/user@1000.service/app.slice/libpod-" + kId2 + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "agent");
  EXPECT_FALSE(c->trusted) << "a delegated cgroup the user named";
}

TEST_F(ContainerResolverTest, CgroupfsKubernetesLayoutIsResolvedFromWhicheverRuntimeHasIt) {
  const std::string pod = "/kubepods/burstable/pod" + kUid + "/";
  write(roots_.crio_state + "/" + kId + "/userdata/config.json", crio_spec("api"));
  write(roots_.docker_data_root + "/containers/" + kId2 + "/config.v2.json",
        R"({"ID":")" + kId2 + R"(","Name":"/k8s_web_web-0_shop_x_0","Config":{"Image":"nginx:1.25",)"
        R"("Labels":{"io.kubernetes.container.name":"web","io.kubernetes.pod.name":"web-0",)"
        R"("io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":")" + kUid + R"("}}})");
  write(roots_.containerd_state + "/k8s.io/" + kOuter + "/config.json", cri_spec("db", "postgres:16"));
  auto r = make();

  auto c = r.resolve(pod + kId);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "cri-o");
  EXPECT_FALSE(c->ref.runtime_inferred);
  EXPECT_EQ(c->name, "api");

  c = r.resolve(pod + kId2);  // cri-dockerd
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "docker");
  EXPECT_EQ(c->name, "web");
  EXPECT_EQ(c->pod_namespace, "shop");

  c = r.resolve(pod + kOuter);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.runtime, "containerd");
  EXPECT_EQ(c->name, "db");
}

TEST_F(ContainerResolverTest, NoContainerIsCachedWithoutTouchingDisk) {
  auto r = make();
  EXPECT_FALSE(r.resolve("/system.slice/sshd.service"));
  EXPECT_FALSE(r.resolve("/system.slice/sshd.service"));
  EXPECT_FALSE(r.resolve(""));
  EXPECT_EQ(r.disk_lookups(), 0u);
  EXPECT_EQ(r.cache_size(), 1u);
}

TEST_F(ContainerResolverTest, MissThenHit) {
  auto r = make();
  const std::string path = "/system.slice/docker-" + kId + ".scope";
  auto c = r.resolve(path);
  ASSERT_TRUE(c);  // a container, just not readable yet
  EXPECT_EQ(c->ref.id, kId);
  EXPECT_EQ(c->ref.runtime, "docker");
  EXPECT_EQ(c->name, "");
  EXPECT_EQ(r.disk_lookups(), 1u);

  c = r.resolve(path);  // retried at once (miss_retry_interval 0)
  EXPECT_EQ(c->name, "");
  EXPECT_EQ(r.disk_lookups(), 2u);

  add_docker(kId, "web", "nginx:1.25");
  c = r.resolve(path);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "web");
  EXPECT_EQ(r.disk_lookups(), 3u);

  for (int i = 0; i < 10; ++i) r.resolve(path);  // resolved: no more lookups
  EXPECT_EQ(r.disk_lookups(), 3u);
}

TEST_F(ContainerResolverTest, MissKeepsPodUidFromTheCgroup) {
  auto r = make();
  auto c = r.resolve(kPodSlice + "/cri-containerd-" + kId + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "");
  EXPECT_EQ(c->pod_uid, kUid);
}

TEST_F(ContainerResolverTest, MissRetryIntervalLimitsLookups) {
  auto r = make(64, 500ms);
  const std::string path = "/docker/" + kId;
  r.resolve(path);
  r.resolve(path);
  now_ += 499ms;
  r.resolve(path);
  EXPECT_EQ(r.disk_lookups(), 1u);
  now_ += 1ms;
  add_docker(kId, "web", "nginx");
  EXPECT_EQ(r.resolve(path)->name, "web");
  EXPECT_EQ(r.disk_lookups(), 2u);
}

TEST_F(ContainerResolverTest, InvalidatedWhenStateDirDisappears) {
  add_docker(kId, "web", "nginx:1.25");
  auto r = make();
  const std::string path = "/docker/" + kId;
  ASSERT_EQ(r.resolve(path)->name, "web");

  fs::remove_all(roots_.docker_data_root + "/containers/" + kId);
  now_ += 999ms;  // checked at most once per second: still the cached answer
  EXPECT_EQ(r.resolve(path)->name, "web");
  EXPECT_EQ(r.disk_lookups(), 1u);

  now_ += 1ms;
  auto c = r.resolve(path);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "");  // gone: back to a miss with the ref kept
  EXPECT_EQ(c->ref.id, kId);
  EXPECT_EQ(r.disk_lookups(), 2u);

  add_docker(kId, "web2", "nginx:1.26");  // same id recreated (e.g. restored)
  c = r.resolve(path);
  EXPECT_EQ(c->name, "web2");
  EXPECT_EQ(c->image, "nginx:1.26");
}

TEST_F(ContainerResolverTest, StateCheckedAtMostOncePerSecondWhileItExists) {
  add_docker(kId, "web", "nginx");
  auto r = make();
  for (int i = 0; i < 50; ++i) {
    now_ += 100ms;
    EXPECT_EQ(r.resolve("/docker/" + kId)->name, "web");
  }
  EXPECT_EQ(r.disk_lookups(), 1u);
}

TEST_F(ContainerResolverTest, CacheIsBoundedLru) {
  add_docker(kId, "a", "img");
  add_docker(kId2, "b", "img");
  add_docker(kOuter, "c", "img");
  auto r = make(/*max_entries=*/2);
  r.resolve("/docker/" + kId);
  r.resolve("/docker/" + kId2);
  r.resolve("/docker/" + kId);  // kId is now the most recently used
  r.resolve("/docker/" + kOuter);  // evicts kId2
  EXPECT_EQ(r.cache_size(), 2u);
  EXPECT_EQ(r.disk_lookups(), 3u);
  r.resolve("/docker/" + kId);
  EXPECT_EQ(r.disk_lookups(), 3u);  // still cached
  r.resolve("/docker/" + kId2);
  EXPECT_EQ(r.disk_lookups(), 4u);  // was evicted
  EXPECT_EQ(r.cache_size(), 2u);

  auto tiny = make(/*max_entries=*/0);  // treated as 1
  tiny.resolve("/docker/" + kId);
  tiny.resolve("/docker/" + kId2);
  EXPECT_EQ(tiny.cache_size(), 1u);
}

TEST_F(ContainerResolverTest, NestedContainerKeepsParentsEvenWhenInnerIsUnknown) {
  add_docker(kOuter, "dind", "docker:dind");
  auto r = make();
  // The inner dockerd's state lives inside the outer container: not readable
  // from the host's data root.
  auto c = r.resolve("/docker/" + kOuter + "/docker/" + kId);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref.id, kId);
  EXPECT_EQ(c->name, "");
  ASSERT_EQ(c->ref.parents.size(), 1u);
  EXPECT_EQ(c->ref.parents[0].id, kOuter);
  EXPECT_EQ(c->ref.parents[0].runtime, "docker");
}

TEST_F(ContainerResolverTest, HostileFilesAreMisses) {
  // A symlink planted where config.v2.json belongs is not followed.
  std::string secret = root_.string() + "/secret.json";
  write(secret, docker_config(kId, "leaked", "x"));
  fs::create_directories(roots_.docker_data_root + "/containers/" + kId);
  fs::create_symlink(secret, roots_.docker_data_root + "/containers/" + kId + "/config.v2.json");
  // A FIFO as a rootless user's containers list must not block.
  std::string store = root_.string() + "/home/mallory/.local/share/containers/storage/overlay-containers";
  fs::create_directories(store + "/" + kId2);
  ASSERT_EQ(::mkfifo((store + "/containers.json").c_str(), 0600), 0);
  // Corrupt JSON.
  write(roots_.containerd_state + "/k8s.io/" + kOuter + "/config.json", "{\"annotations\":");

  auto r = make();
  auto c = r.resolve("/docker/" + kId);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "");
  c = r.resolve("/user.slice/user-1002.slice/user@1002.service/user.slice/libpod-" + kId2 + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "");
  c = r.resolve(kPodSlice + "/cri-containerd-" + kOuter + ".scope");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "");
}

TEST_F(ContainerResolverTest, MissingRootsAreMissesNotErrors) {
  roots_.containerd_state = "/nonexistent/containerd";
  roots_.podman_rootless_glob = "";
  roots_.podman_rootless_run_glob = "/nonexistent/*/x";
  auto r = make();
  for (const auto& p : {"/default/" + kId, "/machine.slice/libpod-" + kId + ".scope",
                              "/kubepods/pod" + kUid + "/" + kId, "/system.slice/crio-" + kId + ".scope"}) {
    auto c = r.resolve(p);
    ASSERT_TRUE(c) << p;
    EXPECT_EQ(c->name, "") << p;
  }
}

}  // namespace
}  // namespace sockwarden
