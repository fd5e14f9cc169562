// Request effects on every tier (docs/request-effects.md): a stand-in daemon that answers a
// create as dockerd does ({"Id":...} in its reply) and has the container's state on disk the
// way dockerd writes it (<data-root>/containers/<id>/config.v2.json + hostconfig.json). The
// caller hides Privileged + Binds ["/:/host"] behind 16 KiB of JSON whitespace in one write:
// its request event must carry the effect from that state, effect-mismatch and severity high.
// On the host this runs on socket-tp and syscall-tp (no replies: the state on disk is found by
// name and creation time); vmtest runs it on lsm and fentry.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

std::string rfc3339_now() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
  return std::string(buf) + frac + "Z";
}

// What dockerd writes before it answers the create. Where the tier sees the daemon's replies,
// the state's creation time is made useless (years ago): only the id in the reply can tie the
// request to it. syscall-tp sees no reply and finds it by name and creation time, so there it
// is written right before the request (not before the agent starts: a TCG guest takes seconds
// to load BPF).
void write_state(const std::string& cdir, const std::string& id, bool replies) {
  fs::create_directories(cdir);
  std::ofstream(cdir + "/config.v2.json") << R"({"ID":")" << id << R"(","Name":"/standin","Created":")"
                                          << (replies ? std::string("2020-01-01T00:00:00Z") : rfc3339_now())
                                          << R"("})";
  std::ofstream(cdir + "/hostconfig.json")
      << R"({"Binds":["/:/host"],"NetworkMode":"none","Privileged":true,"SecurityOpt":["label=disable"]})";
}

class RequestEffectsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RequestEffectsTest, HiddenPrivilegedCreateGetsTheEffectFromTheDaemonsState) {
  ASSERT_EQ(geteuid(), 0u);
  TempDir dir;
  const std::string id = "5e1f" + std::string(60, 'a');
  const std::string cdir = dir.path + "/data/containers/" + id;
  const bool replies = GetParam() != "syscall-tp";
  fs::create_directories(dir.path + "/data/containers");
  const std::string sock = dir.path + "/docker.sock";
  Listener daemon(sock);
  const std::string body = "{\"Id\":\"" + id + "\",\"Warnings\":[]}\n";
  daemon.set_reply("HTTP/1.1 201 Created\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
                   "Docker-Experimental: false\r\nOstype: linux\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n"
                   "Date: Thu, 03 Dec 2026 07:29:24 GMT\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
  const std::string create_body = "{" + std::string(16384, ' ') +
                                  R"("Image":"busybox","HostConfig":{"Privileged":true,"Binds":["/:/host"]}})";
  const std::string req = "POST /v1.41/containers/create?name=standin HTTP/1.1\r\nHost: docker\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(create_body.size()) + "\r\n\r\n" + create_body;
  pid_t caller = 0;
  // --duration 10: in a TCG guest sharing the host with another boot and the rest of the suite,
  // 5 s once ended the agent before the effect was read (effect "unknown", reason "agent-exit").
  auto r = run_binary("run --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                          " --docker-data-root " + dir.path + "/data --no-audit --duration 10",
                      [&] {
                        write_state(cdir, id, replies);
                        caller = run_child([&] {
                          int fd = connect_unix(sock);
                          if (fd < 0) return 1;
                          if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return 2;
                          char buf[512];
                          if (read(fd, buf, sizeof buf) <= 0) return 3;
                          close(fd);
                          return 0;
                        });
                      });
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto reqs = with_action(r, "request", caller);
  ASSERT_EQ(reqs.size(), 1u) << r.out;
  const json& q = reqs[0]["sockwarden"]["request"];
  EXPECT_EQ(q.value("unparsed_body", false), true) << "the padding is past the payload cap: " << q.dump();
  ASSERT_TRUE(q.contains("effect")) << q.dump();
  const json& eff = q["effect"];
  EXPECT_EQ(eff["status"], "verified") << eff.dump();
  EXPECT_EQ(eff["source"], "docker-state");
  EXPECT_EQ(eff["container_id"], id);
  EXPECT_EQ(eff.value("privileged", false), true);
  EXPECT_EQ(eff["host_mounts"], json::array({"/"}));
  auto flags = q["risk_flags"].get<std::vector<std::string>>();
  for (const char* f : {"privileged", "host-mount", "effect-mismatch", "unparsed-body"})
    EXPECT_NE(std::find(flags.begin(), flags.end(), f), flags.end()) << f << " in " << q["risk_flags"].dump();
  EXPECT_EQ(q["severity"], "high");
  EXPECT_EQ(reqs[0]["event"]["severity"], 73);
}

INSTANTIATE_TEST_SUITE_P(Tiers, RequestEffectsTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
