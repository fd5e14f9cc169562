// The agent's pipeline stages on their own (agent/pipeline.cpp wires them):
// RecordBuilder, CallerStage, Delivery and the SIGHUP restart-only check.
// Capture, WatchSync and LossReporter need the real BPF objects and run in
// the integration suite.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/caller_stage.h"
#include "agent/delivery.h"
#include "agent/record_builder.h"
#include "enrich/boot_clock.h"
#include "enrich/cgroup_resolver.h"
#include "enrich/process_table.h"
#include "events.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace sockwarden {
namespace {

bool has_flag(const Event& e, const std::string& f) {
  return std::find(e.flags.begin(), e.flags.end(), f) != e.flags.end();
}

// Records what reaches it; can be told to throw on events of one action.
class RecordingSink : public EventSink {
 public:
  void on_event(const Event& e) override {
    if (!throw_on.empty() && e.action == throw_on) throw std::runtime_error("cannot format this one");
    events.push_back(e);
  }
  std::string throw_on;
  std::vector<Event> events;
};

// An empty procfs and cgroup tree: events are built from the records alone.
class AgentStagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_stages_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    fs::create_directories(tmp_ / "proc");
    fs::create_directories(tmp_ / "cgroup");
    procs_ = std::make_unique<ProcessTable>((tmp_ / "proc").string());
    cgroups_ = std::make_unique<CgroupResolver>((tmp_ / "cgroup").string(), 64, 0ms);
    builder_ = std::make_unique<EventBuilder>(*procs_, *cgroups_, clock_,
                                              [](uint32_t id) { return id == 7 ? std::string("/var/run/docker.sock") : ""; });
  }
  void TearDown() override { fs::remove_all(tmp_); }

  static RawEvent send_record(uint32_t tgid, std::string payload) {
    RawEvent r;
    r.kind = EventKind::Send;
    r.tgid = r.pid = tgid;
    r.watch_id = 7;
    r.client_sock_ino = 42;
    r.comm = "curl";
    r.bytes = payload.size();
    r.payload = std::move(payload);
    return r;
  }

  fs::path tmp_;
  BootClock clock_;
  std::unique_ptr<ProcessTable> procs_;
  std::unique_ptr<CgroupResolver> cgroups_;
  std::unique_ptr<EventBuilder> builder_;
};

TEST_F(AgentStagesTest, RecordBuilderMakesOneEventPerSendAndHoldsAConnectAttemptForItsOutcome) {
  ConnectCorrelator correlator([](RawEvent&) -> std::optional<uint32_t> { return 7; });
  RecordBuilder records(*builder_, correlator);
  auto now = std::chrono::steady_clock::now();

  auto sends = records.feed(send_record(300, "GET /info HTTP/1.1\r\n\r\n"), now);
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].action, "send");
  EXPECT_EQ(sends[0].raw.tgid, 300u);

  RawEvent attempt;
  attempt.kind = EventKind::ConnectAttempt;
  attempt.tgid = attempt.pid = 301;
  attempt.payload = "/var/run/docker.sock";
  EXPECT_TRUE(records.feed(std::move(attempt), now).empty()) << "an attempt waits for its outcome";
  auto settled = records.flush();
  ASSERT_EQ(settled.size(), 1u) << "at exit every pending attempt is reported";
  EXPECT_EQ(settled[0].action, "connect");
  EXPECT_EQ(settled[0].raw.tgid, 301u);
}

TEST_F(AgentStagesTest, CallerStageFlagsCallersAndLeavesAgentEventsAlone) {
  RelayDetector relays((tmp_ / "proc").string());
  CallerStage callers(CallerPolicy::with_defaults(), HostNamespaces{}, relays);
  Event send = builder_->build(send_record(300, "GET /info HTTP/1.1\r\n\r\n"));
  callers.classify(send, std::chrono::steady_clock::now());
  EXPECT_TRUE(has_flag(send, "unexpected-caller")) << "curl is not an expected caller";

  Event lost = builder_->lost(3, "ringbuf-full", 1);
  callers.classify(lost, std::chrono::steady_clock::now());
  EXPECT_TRUE(lost.flags.empty());

  CallerPolicy only_uid;
  only_uid.add(parse_expected_spec("uid:0", "--expect"));
  callers.set_policy(std::move(only_uid));
  Event again = builder_->build(send_record(300, "GET /info HTTP/1.1\r\n\r\n"));
  callers.classify(again, std::chrono::steady_clock::now());
  EXPECT_FALSE(has_flag(again, "unexpected-caller")) << "a reloaded policy applies from the next event";
}

TEST_F(AgentStagesTest, DeliveryFiltersRedactsAndContainsAFailingSink) {
  RecordingSink sink;
  RunStats stats;
  Delivery delivery(sink, EventFilter({300}), nullptr, *builder_, stats);

  delivery.publish(builder_->build(send_record(999, "GET /other HTTP/1.1\r\n\r\n")));
  EXPECT_TRUE(sink.events.empty()) << "--pid 300 keeps pid 999 out";

  delivery.publish(builder_->build(
      send_record(300, "POST /auth HTTP/1.1\r\nX-Registry-Auth: c2VjcmV0LXRva2Vu\r\nContent-Length: 0\r\n\r\n")));
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_TRUE(has_flag(sink.events[0], "redacted"));
  EXPECT_EQ(sink.events[0].raw.payload.find("c2VjcmV0LXRva2Vu"), std::string::npos);

  sink.throw_on = "send";
  delivery.publish(builder_->build(send_record(300, "GET /x HTTP/1.1\r\n\r\n")));
  ASSERT_EQ(sink.events.size(), 2u) << "the event that cannot be written becomes a lost event";
  EXPECT_EQ(sink.events[1].action, "lost");
  EXPECT_EQ(sink.events[1].lost_cause, "format-error");
  EXPECT_EQ(stats.lost_by_cause["format-error"], 1u);
  EXPECT_EQ(stats.emitted, 2u);

  delivery.publish(builder_->lost(5, "ringbuf-full", 1));
  ASSERT_EQ(sink.events.size(), 3u) << "loss records pass every filter";
}

TEST(AgentReload, RestartOnlyChangesNameWhatSighupCannotApply) {
  AgentOptions a, b;
  EXPECT_TRUE(restart_only_changes(a, b).empty());
  b.payload_cap = 8192;
  b.enforce = true;
  b.sockets = {"/tmp/x.sock"};  // applied live
  auto keys = restart_only_changes(a, b);
  EXPECT_EQ(keys, (std::vector<std::string>{"payload_cap", "enforce.mode"}));
}

}  // namespace
}  // namespace sockwarden
