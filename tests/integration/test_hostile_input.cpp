// Hostile bytes through a real watched socket to a real agent: invalid
// UTF-8 and terminal controls in a header, in ?name=, in a JSON body, in
// fromImage and in an exec path. One 40-byte write used to end `run` with
// json type_error.316 (a dead monitor, and with --enforce a host that fails
// open). The agent must stay alive, write only valid JSON lines, and still
// report the next ordinary request. A sink that throws is contained too: the
// event becomes a `lost` event with cause format-error and the agent goes on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli_run.h"
#include "agent/agent.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

std::string post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::vector<std::string>& hostile_requests() {
  static const std::vector<std::string> k = {
      "GET /_ping HTTP/1.1\r\nUpgrade: \xff\r\n\r\n",  // the reproduced 40-byte kill
      post("/v1.43/containers/create?name=\xff\xfe\x1b[2J", R"({"Image":"alpine"})"),
      post("/v1.43/containers/create", "{\"Image\":\"alp\xffine\",\"Cmd\":[\"\xc3\x28\"],"
                                       "\"HostConfig\":{\"Binds\":[\"/\xff:/h\"],\"Privileged\":true}}"),
      post("/v1.43/images/create?fromImage=\xff\xfe\xed\xa0\x80&tag=latest", ""),
      post("/v1.43/containers/0123456789ab/exec", "{\"Cmd\":[\"/bin/\xff\xc2\x9b" "31m\",\"-c\"],\"User\":\"\xf0\x9f\"}"),
      "GET /v1.43/containers/json?all=\x1b]0;x\x07 HTTP/1.1\r\nUser-Agent: \xc2\x9b\xff\r\n\r\n",
  };
  return k;
}

int write_request(const std::string& sock, const std::string& req) {
  int fd = connect_unix(sock);
  if (fd < 0) return 1;
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return 2;
  usleep(200 * 1000);
  close(fd);
  return 0;
}

class HostileInputTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u);
    sock_ = dir_.path + "/docker.sock";
    listener_ = std::make_unique<Listener>(sock_);
  }
  TempDir dir_;
  std::string sock_;
  std::unique_ptr<Listener> listener_;
};

TEST_P(HostileInputTest, InvalidUtf8AndControlsNeitherKillTheAgentNorBreakItsJson) {
  pid_t ordinary = 0;
  std::vector<pid_t> hostile;
  auto r = run_binary("run --no-default-sockets --socket " + sock_ + " --tier " + GetParam() + " --duration 4", [&] {
    for (const auto& req : hostile_requests()) {
      pid_t p = spawn([&] { return write_request(sock_, req); });
      EXPECT_EQ(reap(p), 0);
      hostile.push_back(p);
    }
    ordinary = spawn([&] { return write_request(sock_, "GET /v1.43/version HTTP/1.1\r\nHost: docker\r\n\r\n"); });
    EXPECT_EQ(reap(ordinary), 0);
  });
  ASSERT_EQ(r.exit_code, 0) << "the agent must survive: " << r.out.substr(0, 3000);
  EXPECT_EQ(r.out.find("unexpected error"), std::string::npos) << r.out.substr(0, 3000);
  // Every line that starts like JSON is strict JSON (valid UTF-8 included).
  std::istringstream lines(r.out);
  std::string line;
  size_t json_lines = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{') continue;
    json_lines++;
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line.substr(0, 300);
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << "raw ESC in a JSON line";
  }
  EXPECT_GT(json_lines, hostile_requests().size());
  for (size_t i = 0; i < hostile.size(); i++)
    EXPECT_EQ(with_action(r, "request", hostile[i]).size(), 1u) << "hostile request " << i << " is still reported";
  auto req = with_action(r, "request", ordinary);
  ASSERT_EQ(req.size(), 1u) << "the next ordinary request is reported";
  EXPECT_EQ(req[0]["url"]["path"], "/version");
  for (const auto& l : with_action(r, "lost")) ADD_FAILURE() << "nothing should be lost: " << l.dump();
  // The body with invalid UTF-8 still yields what it could: privileged is a risk.
  auto create = with_action(r, "request", hostile[2]);
  ASSERT_EQ(create.size(), 1u);
  RecordProperty("invalid_utf8_body", create[0]["sockwarden"]["request"].dump());
}

// A sink that fails on one event (what a serializer exception on hostile
// bytes did): that event is one `lost` record (format-error), and the agent
// delivers the events after it.
class ThrowingSink : public sockwarden::EventSink {
 public:
  // Called once BPF is loaded and attached and the watches are in the maps.
  void on_start(const std::string&) override { started = true; }
  void on_event(const sockwarden::Event& e) override {
    if (e.request && e.request->path == "/boom") throw std::runtime_error("cannot format this event");
    if (e.request) paths.push_back(e.request->path);
    if (e.action == "lost") lost_causes.push_back(e.lost_cause);
  }
  std::vector<std::string> paths, lost_causes;
  std::atomic<bool> started{false};
};

TEST_P(HostileInputTest, AnEventThatCannotBeWrittenIsLostNotFatal) {
  sockwarden::AgentOptions opts;
  opts.no_default_sockets = true;
  opts.sockets = {sock_};
  opts.tier = GetParam();
  opts.duration_sec = 4;
  opts.existing_connections = false;
  ThrowingSink sink;
  std::thread clients([&] {
    // Until BPF is loaded and attached: not a fixed delay, since loading the 5.10 build (its
    // bounded loops verified per iteration) under QEMU's TCG took longer than the 2 s once used.
    for (int i = 0; i < 1200 && !sink.started; i++) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(sink.started) << "the agent did not start within 60 s";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (const char* path : {"/v1.43/boom", "/v1.43/info"}) {
      // Built before fork: the child of a threaded process must not allocate.
      const std::string req = std::string("GET ") + path + " HTTP/1.1\r\nHost: d\r\n\r\n";
      pid_t p = spawn([&] { return write_request(sock_, req); });
      EXPECT_EQ(reap(p), 0);
    }
  });
  sockwarden::RunStats stats;
  EXPECT_NO_THROW(stats = sockwarden::run_agent(opts, sink));
  clients.join();
  EXPECT_EQ(stats.lost_by_cause["format-error"], 1u);
  ASSERT_EQ(sink.lost_causes.size(), 1u);
  EXPECT_EQ(sink.lost_causes[0], "format-error");
  EXPECT_EQ(sink.paths, std::vector<std::string>{"/info"}) << "the request after the failed one is delivered";
}

INSTANTIATE_TEST_SUITE_P(Tiers, HostileInputTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
