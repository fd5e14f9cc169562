// ECS container.* / orchestrator.* and sockwarden.container.parents as they
// appear in an event line (format/container_fields.cpp through to_json_line).
#include "format/container_fields.h"

#include <gtest/gtest.h>

#include "format/ecs_json.h"

namespace sockwarden {
namespace {

using nlohmann::json;

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const std::string kOuter = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kUid = "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";

// A send event from container c, as the line says it.
json line_of(const ContainerInfo& c) {
  Event e;
  e.action = "send";
  e.tier = "socket-tp";
  e.raw.tgid = 1;
  e.container = c;
  return to_ecs_json(e);
}

ContainerInfo docker_web() {
  ContainerInfo c;
  c.ref.runtime = "docker";
  c.ref.id = kId;
  c.name = "web";
  c.image = "nginx:1.25";
  return c;
}

TEST(ContainerFields, PlainContainer) {
  json j = line_of(docker_web());
  EXPECT_EQ(j["container"], (json{{"id", kId}, {"name", "web"}, {"runtime", "docker"}, {"image", {{"name", "nginx:1.25"}}}}));
  EXPECT_FALSE(j.contains("orchestrator"));
  EXPECT_FALSE(j["sockwarden"].contains("container"));
  EXPECT_EQ(j["process"]["pid"], 1);
}

TEST(ContainerFields, KubernetesPod) {
  ContainerInfo c = docker_web();
  c.ref.runtime = "containerd";
  c.pod_name = "web-0";
  c.pod_namespace = "shop";
  c.pod_uid = kUid;
  json j = line_of(c);
  EXPECT_EQ(j["orchestrator"], (json{{"type", "kubernetes"},
                                     {"namespace", "shop"},
                                     {"resource", {{"type", "pod"}, {"name", "web-0"}, {"id", kUid}}}}));
}

TEST(ContainerFields, UnresolvedContainerKeepsWhatTheCgroupSaid) {
  ContainerInfo c;
  c.ref.runtime = "containerd";
  c.ref.id = kId;
  c.pod_uid = kUid;  // from the pod's cgroup; metadata not readable yet
  json j = line_of(c);
  EXPECT_EQ(j["container"], (json{{"id", kId}, {"runtime", "containerd"}}));
  EXPECT_EQ(j["orchestrator"], (json{{"type", "kubernetes"}, {"resource", {{"type", "pod"}, {"id", kUid}}}}));
}

TEST(ContainerFields, NestedParentsGoUnderSockwarden) {
  ContainerInfo c = docker_web();
  ContainerRef outer;
  outer.runtime = "docker";
  outer.id = kOuter;
  c.ref.parents.push_back(outer);
  json j = line_of(c);
  EXPECT_EQ(j["sockwarden"]["tier"], "socket-tp");
  EXPECT_EQ(j["sockwarden"]["container"]["parents"], (json::array({{{"runtime", "docker"}, {"id", kOuter}}})));
  EXPECT_EQ(j["container"]["id"], kId);
}

TEST(ContainerFields, NoIdNoFields) {
  json j = line_of(ContainerInfo{});
  EXPECT_FALSE(j.contains("container"));
  EXPECT_FALSE(j.contains("orchestrator"));
  EXPECT_FALSE(j["sockwarden"].contains("container"));
}

}  // namespace
}  // namespace sockwarden
