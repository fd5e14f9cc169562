// agent-start / agent-stop as the sink sees them and as ECS JSON renders them.
#include "agent/lifecycle.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "format/ecs_json.h"

namespace sockwarden {
namespace {

RunStats stats() {
  RunStats s;
  s.tier = "socket-tp";
  s.enforcement = "full";
  s.emitted = 41;
  s.lost = 2;
  s.requests = 7;
  s.kernel.events = 90;
  return s;
}

TEST(Lifecycle, StopReasonNamesTheSignalOrTheDuration) {
  EXPECT_EQ(stop_reason(SIGTERM), "SIGTERM");
  EXPECT_EQ(stop_reason(SIGINT), "SIGINT");
  EXPECT_EQ(stop_reason(0), "duration");
}

TEST(Lifecycle, StartCarriesTierEnforcementSocketsAndVersion) {
  Event e = agent_start_event(stats(), {"/run/docker.sock", "/run/containerd/containerd.sock"}, 3, 1'795'380'397'000'000'000ULL);
  EXPECT_TRUE(e.is_agent_event());
  auto j = to_ecs_json(e);
  EXPECT_EQ(j["event"]["action"], "agent-start");
  EXPECT_EQ(j["event"]["kind"], "event");
  EXPECT_EQ(j["event"]["type"], nlohmann::json::array({"start"}));
  EXPECT_EQ(j["event"]["dataset"], "sockwarden.agent");
  EXPECT_EQ(j["ecs"]["version"], kEcsVersion);
  EXPECT_EQ(j["agent"]["type"], "sockwarden");
  EXPECT_EQ(j["agent"]["version"], agent_version());
  EXPECT_NE(std::string(agent_version()), "unknown");
  EXPECT_EQ(j["sockwarden"]["agent"]["tier"], "socket-tp");
  EXPECT_EQ(j["sockwarden"]["agent"]["enforcement"], "full");
  EXPECT_EQ(j["sockwarden"]["agent"]["pid"], getpid());
  EXPECT_EQ(j["sockwarden"]["agent"]["watched_sockets"].size(), 2u);
  EXPECT_EQ(j["sockwarden"]["agent"]["existing_connections"], 3);
  EXPECT_FALSE(j["sockwarden"]["agent"].contains("totals"));
}

TEST(Lifecycle, StopCarriesReasonAndTotals) {
  auto j = to_ecs_json(agent_stop_event(stats(), SIGTERM, 12.5, 1'795'380'397'000'000'000ULL));
  EXPECT_EQ(j["event"]["action"], "agent-stop");
  EXPECT_EQ(j["event"]["type"], nlohmann::json::array({"end"}));
  const auto& a = j["sockwarden"]["agent"];
  EXPECT_EQ(a["reason"], "SIGTERM");
  EXPECT_EQ(a["uptime_sec"], 12.5);
  EXPECT_EQ(a["totals"]["events"], 41);
  EXPECT_EQ(a["totals"]["lost"], 2);
  EXPECT_EQ(a["totals"]["requests"], 7);
  EXPECT_EQ(a["totals"]["kernel_records"], 90);
  EXPECT_FALSE(a.contains("watched_sockets"));
}

}  // namespace
}  // namespace sockwarden
