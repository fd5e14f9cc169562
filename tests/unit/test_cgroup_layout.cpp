#include "enrich/cgroup_layout.h"

#include <gtest/gtest.h>

#include <string>

namespace sockwarden {
namespace {

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const std::string kOuter = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kMiddle = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const std::string kUid = "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";
const std::string kUidSystemd = "1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901";
const std::string kStaticPodUid = "6d3b0f1b6a3bb7d0c9d3e4f5a6b7c8d9";

ContainerRef must_parse(const std::string& path) {
  auto ref = parse_container_cgroup(path);
  EXPECT_TRUE(ref.has_value()) << path;
  return ref.value_or(ContainerRef{});
}

void expect_ref(const std::string& path, const std::string& runtime, const std::string& id,
                const std::string& pod_uid = "", bool inferred = false) {
  SCOPED_TRACE(path);
  ContainerRef r = must_parse(path);
  EXPECT_EQ(r.runtime, runtime);
  EXPECT_EQ(r.id, id);
  EXPECT_EQ(r.pod_uid, pod_uid);
  EXPECT_EQ(r.runtime_inferred, inferred);
  EXPECT_TRUE(r.parents.empty());
}

TEST(ContainerCgroupLayout, DockerDrivers) {
  expect_ref("/docker/" + kId, "docker", kId);
  expect_ref("/system.slice/docker-" + kId + ".scope", "docker", kId);
  // Rootless Docker with systemd puts its scopes in the user's manager.
  expect_ref("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" + kId + ".scope", "docker", kId);
}

TEST(ContainerCgroupLayout, SubCgroupsBelongToTheirContainer) {
  expect_ref("/system.slice/docker-" + kId + ".scope/init.scope", "docker", kId);
  expect_ref("/docker/" + kId + "/sub", "docker", kId);
  expect_ref("/docker/" + kId + "/a/b/c", "docker", kId);
  expect_ref("/machine.slice/libpod-" + kId + ".scope/container", "podman", kId);
}

TEST(ContainerCgroupLayout, KubernetesSystemdDriver) {
  const std::string burstable = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd +
                                ".slice";
  const std::string besteffort = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                                 kUidSystemd + ".slice";
  const std::string guaranteed = "/kubepods.slice/kubepods-pod" + kUidSystemd + ".slice";
  expect_ref(burstable + "/cri-containerd-" + kId + ".scope", "containerd", kId, kUid);
  expect_ref(besteffort + "/cri-containerd-" + kId + ".scope", "containerd", kId, kUid);
  expect_ref(guaranteed + "/cri-containerd-" + kId + ".scope", "containerd", kId, kUid);
  expect_ref(burstable + "/crio-" + kId + ".scope", "cri-o", kId, kUid);
  expect_ref(burstable + "/crio-" + kId + ".scope/container", "cri-o", kId, kUid);
  // cri-dockerd with the systemd driver.
  expect_ref(burstable + "/docker-" + kId + ".scope", "docker", kId, kUid);
}

TEST(ContainerCgroupLayout, KubernetesCgroupfsDriverIsAmbiguous) {
  expect_ref("/kubepods/burstable/pod" + kUid + "/" + kId, "containerd", kId, kUid, /*inferred=*/true);
  expect_ref("/kubepods/besteffort/pod" + kUid + "/" + kId, "containerd", kId, kUid, true);
  expect_ref("/kubepods/pod" + kUid + "/" + kId, "containerd", kId, kUid, true);  // guaranteed QoS
  expect_ref("/kubepods/burstable/pod" + kStaticPodUid + "/" + kId, "containerd", kId, kStaticPodUid, true);
  // CRI-O with cgroupfs keeps its prefix, so it is not ambiguous.
  expect_ref("/kubepods/burstable/pod" + kUid + "/crio-" + kId, "cri-o", kId, kUid);
}

TEST(ContainerCgroupLayout, PodmanAndNerdctl) {
  expect_ref("/machine.slice/libpod-" + kId + ".scope", "podman", kId);
  expect_ref("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope", "podman", kId);
  // A podman pod's slice is no Kubernetes pod: no uid comes from it.
  expect_ref("/machine.slice/machine-libpod_pod_" + kOuter + ".slice/libpod-" + kId + ".scope", "podman", kId);
  expect_ref("/libpod_parent/libpod-" + kId, "podman", kId);  // podman's cgroupfs manager
  expect_ref("/nerdctl.slice/nerdctl-" + kId + ".scope", "containerd", kId);
  expect_ref("/default/" + kId, "containerd", kId, "", /*inferred=*/true);  // ctr run
}

TEST(ContainerCgroupLayout, ConmonIsNotAContainer) {
  EXPECT_FALSE(parse_container_cgroup("/machine.slice/libpod-conmon-" + kId + ".scope"));
  EXPECT_FALSE(parse_container_cgroup("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                                      kUidSystemd + ".slice/crio-conmon-" + kId + ".scope"));
  EXPECT_FALSE(parse_container_cgroup("/system.slice/crio-conmon-" + kId + ".scope"));
}

TEST(ContainerCgroupLayout, RejectsIdsThatAreNotFullLowercaseHex) {
  std::string upper = kId;
  upper[0] = 'F';
  std::string non_hex = kId;
  non_hex[5] = 'g';
  for (const auto& bad : {upper, non_hex, kId.substr(0, 63), kId + "0", kId.substr(0, 12), std::string("abc")}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_container_cgroup("/docker/" + bad));
    EXPECT_FALSE(parse_container_cgroup("/system.slice/docker-" + bad + ".scope"));
    EXPECT_FALSE(parse_container_cgroup("/kubepods/burstable/pod" + kUid + "/" + bad));
    EXPECT_FALSE(parse_container_cgroup("/machine.slice/libpod-" + bad + ".scope"));
  }
  EXPECT_FALSE(parse_container_cgroup("/system.slice/" + kId + ".scope"));  // no runtime prefix
}

TEST(ContainerCgroupLayout, CgroupsOutsideContainers) {
  for (const std::string p :
       {"", "/", "/init.scope", "/system.slice/sshd.service", "/system.slice/docker.service",
        "/system.slice/containerd.service", "/user.slice/user-1000.slice/session-2.scope", "/docker",
        "/kubepods.slice/kubepods-burstable.slice", "/kubepods/burstable/pod1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice",
        "/machine.slice/systemd-nspawn@x.service", "//"}) {
    EXPECT_FALSE(parse_container_cgroup(p)) << p;
  }
}

TEST(ContainerCgroupLayout, MalformedPodUidIsIgnored) {
  expect_ref("/kubepods/burstable/podnot-a-uid/" + kId, "containerd", kId, "", true);
  expect_ref("/kubepods.slice/kubepods-burstable-podXYZ.slice/cri-containerd-" + kId + ".scope", "containerd", kId);
}

TEST(ContainerCgroupLayout, ToleratesMissingAndRepeatedSlashes) {
  expect_ref("docker/" + kId, "docker", kId);
  expect_ref("//docker//" + kId + "/", "docker", kId);
}

TEST(ContainerCgroupLayout, NestedDockerInDocker) {
  ContainerRef r = must_parse("/docker/" + kOuter + "/docker/" + kId);
  EXPECT_EQ(r.runtime, "docker");
  EXPECT_EQ(r.id, kId);
  ASSERT_EQ(r.parents.size(), 1u);
  EXPECT_EQ(r.parents[0].runtime, "docker");
  EXPECT_EQ(r.parents[0].id, kOuter);
  EXPECT_TRUE(r.parents[0].parents.empty());
}

TEST(ContainerCgroupLayout, NestedKindNodeRunningPods) {
  // kind: a Docker container is the node; its kubelet runs pods below it.
  ContainerRef r = must_parse("/system.slice/docker-" + kOuter +
                              ".scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                              "kubelet-kubepods-besteffort-pod" +
                              kUidSystemd + ".slice/cri-containerd-" + kId + ".scope");
  EXPECT_EQ(r.runtime, "containerd");
  EXPECT_EQ(r.id, kId);
  EXPECT_EQ(r.pod_uid, kUid);
  ASSERT_EQ(r.parents.size(), 1u);
  EXPECT_EQ(r.parents[0].runtime, "docker");
  EXPECT_EQ(r.parents[0].id, kOuter);
  EXPECT_EQ(r.parents[0].pod_uid, "");
}

TEST(ContainerCgroupLayout, NestedThreeDeepKeepsOuterFirstAndPodUidOnItsOwnContainer) {
  ContainerRef r = must_parse("/kubepods/burstable/pod" + kUid + "/" + kOuter + "/docker/" + kMiddle +
                              "/system.slice/docker-" + kId + ".scope/init.scope");
  EXPECT_EQ(r.runtime, "docker");
  EXPECT_EQ(r.id, kId);
  EXPECT_EQ(r.pod_uid, "");  // the pod is the outermost container's, not this one's
  ASSERT_EQ(r.parents.size(), 2u);
  EXPECT_EQ(r.parents[0].id, kOuter);
  EXPECT_EQ(r.parents[0].runtime, "containerd");
  EXPECT_TRUE(r.parents[0].runtime_inferred);
  EXPECT_EQ(r.parents[0].pod_uid, kUid);
  EXPECT_EQ(r.parents[1].id, kMiddle);
  EXPECT_EQ(r.parents[1].runtime, "docker");
}

TEST(ContainerCgroupLayout, ConmonInsideAContainerLeavesTheOuterOne) {
  ContainerRef r = must_parse("/docker/" + kOuter + "/machine.slice/libpod-conmon-" + kId + ".scope");
  EXPECT_EQ(r.id, kOuter);
  EXPECT_TRUE(r.parents.empty());
}

TEST(ContainerCgroupLayout, IsContainerId) {
  EXPECT_TRUE(is_container_id(kId));
  EXPECT_FALSE(is_container_id(""));
  EXPECT_FALSE(is_container_id(kId.substr(1)));
  std::string upper = kId;
  upper[10] = 'A';
  EXPECT_FALSE(is_container_id(upper));
}

}  // namespace
}  // namespace sockwarden
