// FragmentMemo (format/fragment_memo.h) and the event-line groups rendered through it:
// a reused fragment must never carry a previous event's values.
#include "format/fragment_memo.h"

#include <gtest/gtest.h>

#include <string>

#include "event_fixtures.h"
#include "events.h"
#include "format/ecs_json.h"

namespace sockwarden {
namespace {

using nlohmann::json;

TEST(FragmentMemo, RendersOnceForTheSameInputsAndAgainWhenAnyChanges) {
  FragmentMemo<std::string_view, int> memo;
  int renders = 0;
  auto get = [&](std::string_view name, int n) {
    return std::string(memo.members({name, n}, [&](JsonWriter& w) {
      renders++;
      w.member("name", name);
      w.member("n", n);
    }));
  };
  EXPECT_EQ(get("docker", 1), R"("name":"docker","n":1)");
  EXPECT_EQ(get("docker", 1), R"("name":"docker","n":1)");
  EXPECT_EQ(renders, 1);
  // The caller's string changes in place: the memo compares with its own copy.
  std::string name = "docker";
  EXPECT_EQ(get(name, 1), R"("name":"docker","n":1)");
  name[0] = 'D';
  EXPECT_EQ(get(name, 1), R"("name":"Docker","n":1)");
  EXPECT_EQ(get(name, 2), R"("name":"Docker","n":2)");
  EXPECT_EQ(renders, 3);
}

TEST(FragmentMemo, MembersJoinTheObjectInProgress) {
  FragmentMemo<int> memo;
  std::string out;
  {
    JsonWriter w(out);
    w.begin_object();
    w.member("a", 1);
    w.raw_members(memo.members({2}, [](JsonWriter& m) {
      m.member("b", 2);
      m.member("c", 3);
    }));
    w.member("d", 4);
    w.end_object();
  }
  EXPECT_EQ(out, R"({"a":1,"b":2,"c":3,"d":4})");
}

// Consecutive lines that differ in one input of each memoized group (event kind, group,
// cgroup, namespaces, socket, tier, user, process image, thread, parent) each show their own
// value, in a first pass and again when every group has been rendered before.
TEST(FragmentMemo, ConsecutiveEventLinesNeverShareAStaleGroup) {
  Event base = testing::docker_caller_event("send");
  base.process = testing::docker_ps_process();
  std::vector<Event> events(12, base);
  events[1].action = "reply";
  events[2].raw.gid = 4242;
  events[3].raw.cgroup_id = 77;
  events[4].cgroup_path = "/system.slice/other.service";
  events[5].raw.netns = 123456;
  events[6].socket_path = "/run/containerd/containerd.sock";
  events[7].tier = "syscall-tp";
  events[8].raw.euid = 1;
  // Another image of the same pid (an exec): same ids, other data.
  ProcessInfo execd = testing::docker_ps_process();
  execd.args = {"docker", "run", "--privileged", "alpine"};
  execd.command_line = "docker run --privileged alpine";
  events[9].process = execd;
  events[10].raw.pid = base.raw.pid + 1;  // another thread
  events[11].raw.ppid = 77;
  for (int round = 0; round < 2; round++) {
    for (const Event& e : events) {
      const std::string line = to_json_line(e);
      const json j = json::parse(line);
      EXPECT_EQ(j["event"]["action"], e.action) << line;
      EXPECT_EQ(j["group"]["id"], std::to_string(e.raw.gid)) << line;
      EXPECT_EQ(j["sockwarden"]["cgroup"]["id"], e.raw.cgroup_id) << line;
      EXPECT_EQ(j["sockwarden"]["cgroup"]["path"], e.cgroup_path) << line;
      EXPECT_EQ(j["sockwarden"]["namespaces"]["net"], e.raw.netns) << line;
      EXPECT_EQ(j["sockwarden"]["socket"]["path"], e.socket_path) << line;
      EXPECT_EQ(j["sockwarden"]["tier"], e.tier) << line;
      EXPECT_EQ(j["user"]["effective"]["id"], std::to_string(e.raw.euid)) << line;
      EXPECT_EQ(j["process"]["command_line"], e.process->command_line) << line;
      EXPECT_EQ(j["process"]["thread"]["id"], e.raw.pid) << line;
      EXPECT_EQ(j["process"]["parent"]["pid"], e.raw.ppid) << line;
      EXPECT_EQ(line, j.dump()) << "canonical form";
    }
  }
}

}  // namespace
}  // namespace sockwarden
