// Every runtime's cgroup layout, exercised for real: the test creates the
// cgroups each runtime would (Docker's systemd driver, Kubernetes with
// containerd under both drivers, CRI-O, rootless podman, a nested container)
// in the real cgroup2 hierarchy, moves a real process into each, and has it
// connect and write to a watched socket while the real binary captures. The
// kernel's cgroup id -> path -> layout -> on-disk state chain is the one a
// host runs; only the runtimes' state files are written by the test (in the
// exact places and formats the runtimes use), because dockerd with systemd,
// the kubelet and CRI-O cannot run on this machine (no systemd as PID 1, no
// network for images). Docker's cgroupfs driver, plain containerd and podman
// run for real in the e2e suite (tests/e2e).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string hex_id(char c) { return std::string(64, c); }

struct Layout {
  std::string label;
  std::string cgroup;  // below the test's own parent cgroup
  std::string runtime, id, name, image;
  std::string pod, pod_namespace;
  pid_t pid = 0;
};

class ContainerLayoutTest : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir_;
};

TEST_P(ContainerLayoutTest, EveryRuntimeLayoutIsAttributedFromRealCgroups) {
  std::string cg2 = cgroup2_root();
  ASSERT_FALSE(cg2.empty()) << "no cgroup2 mount";
  const std::string parent = "/sw-layouts-" + std::to_string(getpid());
  const std::string uid = "5e1f7a0c-3b9d-4c2e-8f11-0a2b3c4d5e6f";
  std::string uid_us = uid;
  std::replace(uid_us.begin(), uid_us.end(), '-', '_');

  std::vector<Layout> layouts = {
      {"docker systemd driver", "/system.slice/docker-" + hex_id('a') + ".scope", "docker", hex_id('a'),
       "ci-runner", "company/runner:latest", "", ""},
      {"kubernetes systemd + containerd",
       "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid_us + ".slice/cri-containerd-" +
           hex_id('b') + ".scope",
       "containerd", hex_id('b'), "agent", "registry.local/agent:1.2", "agent-7d9f", "monitoring"},
      {"kubernetes cgroupfs + containerd", "/kubepods/besteffort/pod" + uid + "/" + hex_id('c'), "containerd",
       hex_id('c'), "sidecar", "registry.local/sidecar:3", "agent-7d9f", "monitoring"},
      {"cri-o", "/kubepods.slice/kubepods-pod" + uid_us + ".slice/crio-" + hex_id('d') + ".scope", "cri-o",
       hex_id('d'), "builder", "quay.io/ci/builder:9", "build-0", "ci"},
      {"rootless podman", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + hex_id('e') + ".scope",
       "podman", hex_id('e'), "dash", "docker.io/library/portainer:2", "", ""},
      // Docker-in-Docker: the inner container's state lives inside its parent,
      // so it is reported by id with the parent chain.
      {"nested docker", "/docker/" + hex_id('f') + "/docker/" + hex_id('9'), "docker", hex_id('9'), "", "", "", ""},
  };

  // The runtimes' on-disk state, where and how each runtime writes it.
  std::string docker_root = dir_.path + "/docker";
  std::string containerd_state = dir_.path + "/containerd";  // --containerd-state
  std::string storage = dir_.path + "/storage";              // --containers-storage
  write_file(docker_root + "/containers/" + hex_id('a') + "/config.v2.json",
             json{{"ID", hex_id('a')}, {"Name", "/ci-runner"}, {"Config", {{"Image", "company/runner:latest"}}}}.dump());
  write_file(docker_root + "/containers/" + hex_id('f') + "/config.v2.json",
             json{{"ID", hex_id('f')}, {"Name", "/dind"}, {"Config", {{"Image", "docker:dind"}}}}.dump());
  for (const Layout* l : {&layouts[1], &layouts[2]}) {
    json annotations = {{"io.kubernetes.cri.container-type", "container"},
                        {"io.kubernetes.cri.container-name", l->name},
                        {"io.kubernetes.cri.image-name", l->image},
                        {"io.kubernetes.cri.sandbox-name", l->pod},
                        {"io.kubernetes.cri.sandbox-namespace", l->pod_namespace},
                        {"io.kubernetes.cri.sandbox-uid", uid}};
    write_file(containerd_state + "/io.containerd.runtime.v2.task/k8s.io/" + l->id + "/config.json",
               json{{"ociVersion", "1.1.0"}, {"annotations", annotations}}.dump());
  }
  json crio = {{"io.kubernetes.cri-o.ContainerType", "container"},
               {"io.kubernetes.container.name", "builder"},
               {"io.kubernetes.cri-o.ImageName", "quay.io/ci/builder:9"},
               {"io.kubernetes.pod.name", "build-0"},
               {"io.kubernetes.pod.namespace", "ci"},
               {"io.kubernetes.pod.uid", uid}};
  write_file(storage + "/overlay-containers/" + hex_id('d') + "/userdata/config.json",
             json{{"annotations", crio}}.dump());
  fs::create_directories(storage + "/overlay-containers/" + hex_id('e') + "/userdata");
  json podman_meta = {{"image-name", "docker.io/library/portainer:2"}, {"name", "dash"}};
  write_file(storage + "/overlay-containers/containers.json",
             json::array({{{"id", hex_id('e')}, {"names", {"dash"}}, {"metadata", podman_meta.dump()}}}).dump());

  CgroupTree tree(cg2);
  for (const auto& l : layouts) tree.make(parent + l.cgroup);

  std::string sock = dir_.path + "/runtime.sock";
  Listener listener(sock);
  auto r = run_binary("run --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                          " --duration 4 --docker-data-root " + docker_root + " --containerd-state " +
                          containerd_state + " --containers-storage " + storage,
                      [&] {
                        for (auto& l : layouts) {
                          l.pid = run_child([&] {
                            join_cgroup(cg2 + parent + l.cgroup);  // the container's cgroup
                            int fd = connect_unix(sock);
                            if (fd < 0) return 1;
                            std::string req = "GET /v1.43/info HTTP/1.1\r\nHost: d\r\n\r\n";
                            return write(fd, req.data(), req.size()) == (ssize_t)req.size() ? 0 : 2;
                          });
                        }
                      });
  ASSERT_EQ(r.exit_code, 0) << r.out;

  for (const auto& l : layouts) {
    SCOPED_TRACE(l.label);
    auto sends = with_action(r, "send", l.pid);
    ASSERT_EQ(sends.size(), 1u) << r.out;
    const json& e = sends[0];
    EXPECT_EQ(e["sockwarden"]["cgroup"]["path"], parent + l.cgroup);
    ASSERT_TRUE(e.contains("container")) << e.dump();
    EXPECT_EQ(e["container"]["id"], l.id);
    EXPECT_EQ(e["container"]["runtime"], l.runtime);
    if (!l.name.empty()) {
      EXPECT_EQ(e["container"]["name"], l.name);
      EXPECT_EQ(e["container"]["image"]["name"], l.image);
    }
    if (!l.pod.empty()) {
      EXPECT_EQ(e["orchestrator"]["resource"]["name"], l.pod);
      EXPECT_EQ(e["orchestrator"]["resource"]["type"], "pod");
      EXPECT_EQ(e["orchestrator"]["namespace"], l.pod_namespace);
    }
    auto flags = e["sockwarden"]["flags"];
    EXPECT_NE(std::find(flags.begin(), flags.end(), "container-originated"), flags.end()) << flags.dump();
    EXPECT_NE(std::find(flags.begin(), flags.end(), "unexpected-caller"), flags.end()) << flags.dump();
  }
  // The nested container names its parent (outermost first).
  auto nested = with_action(r, "send", layouts[5].pid);
  ASSERT_EQ(nested.size(), 1u);
  auto parents = nested[0]["sockwarden"]["container"]["parents"];
  ASSERT_EQ(parents.size(), 1u) << nested[0].dump();
  EXPECT_EQ(parents[0]["id"], hex_id('f'));
  EXPECT_EQ(parents[0]["runtime"], "docker");
}

INSTANTIATE_TEST_SUITE_P(Tiers, ContainerLayoutTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
