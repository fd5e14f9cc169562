#include "classify/event_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace sockwarden {
namespace {

Event ev(const std::string& action, uint32_t tgid, uint32_t pid, uint32_t ppid) {
  Event e;
  e.action = action;
  e.outcome = "success";
  e.raw.tgid = tgid;
  e.raw.pid = pid;
  e.raw.ppid = ppid;
  if (action == "connect") e.raw.kind = EventKind::Connect;
  if (action == "send") e.raw.kind = EventKind::Send;
  if (action == "reply") e.raw.kind = EventKind::Reply;
  return e;
}

Event lost_event() {
  Event e;
  e.action = "lost";
  e.outcome = "unknown";
  e.lost = 3;
  e.lost_cause = "ringbuf-full";
  return e;
}

TEST(EventFilter, EmptyFilterKeepsEverything) {
  EventFilter f;
  EXPECT_TRUE(f.keep(ev("connect", 100, 100, 1)));
  EXPECT_TRUE(f.keep(ev("send", 100, 101, 1)));
  EXPECT_TRUE(f.keep(ev("reply", 200, 205, 1)));
  EXPECT_TRUE(f.keep(lost_event()));
  EXPECT_TRUE(f.keep(Event{}));
}

TEST(EventFilter, KeepsByProcessId) {
  EventFilter f({100});
  EXPECT_TRUE(f.keep(ev("connect", 100, 100, 1)));
  EXPECT_TRUE(f.keep(ev("send", 100, 103, 1)));  // any thread of the process
}

TEST(EventFilter, KeepsByThreadId) {
  EventFilter f({103});
  EXPECT_TRUE(f.keep(ev("send", 100, 103, 1)));
  EXPECT_FALSE(f.keep(ev("send", 100, 104, 1)));  // a sibling thread was not asked for
}

TEST(EventFilter, KeepsChildrenOfAListedProcess) {
  EventFilter f({50});  // e.g. a shell; its curl child connects
  EXPECT_TRUE(f.keep(ev("connect", 100, 100, 50)));
  EXPECT_TRUE(f.keep(ev("send", 100, 100, 50)));
}

TEST(EventFilter, DropsOthers) {
  EventFilter f({100, 101});
  EXPECT_FALSE(f.keep(ev("connect", 200, 200, 1)));
  EXPECT_FALSE(f.keep(ev("send", 200, 201, 199)));
  EXPECT_FALSE(f.keep(ev("reply", 300, 301, 1)));
}

TEST(EventFilter, LossRecordsAlwaysPass) {
  EventFilter f({100});
  EXPECT_TRUE(f.keep(lost_event()));
  // Even when its (meaningless) ids match nothing.
  auto l = lost_event();
  l.raw.tgid = 999;
  l.raw.pid = 999;
  EXPECT_TRUE(f.keep(l));
}

// Replies are recorded in the daemon's context (tgid/pid/ppid are the daemon's).
TEST(EventFilter, ReplyKeptOnlyWhenTheDaemonIsListed) {
  const uint32_t dockerd = 200, dockerd_thread = 207, systemd = 1;
  EXPECT_TRUE(EventFilter({dockerd}).keep(ev("reply", dockerd, dockerd_thread, systemd)));
  EXPECT_TRUE(EventFilter({dockerd_thread}).keep(ev("reply", dockerd, dockerd_thread, systemd)));
  // The daemon's parent being listed does not pull in every reply the daemon sends.
  EXPECT_FALSE(EventFilter({systemd}).keep(ev("reply", dockerd, dockerd_thread, systemd)));
  // ... while that same parent does select a non-reply record of its child.
  EXPECT_TRUE(EventFilter({systemd}).keep(ev("send", dockerd, dockerd_thread, systemd)));
  // A client pid does not select the daemon's replies.
  EXPECT_FALSE(EventFilter({300}).keep(ev("reply", dockerd, dockerd_thread, systemd)));
}

Event in_container(const std::string& name, const std::string& id) {
  Event e = ev("send", 400, 400, 1);
  ContainerInfo c;
  c.ref.runtime = "docker";
  c.ref.id = id;
  c.name = name;
  e.container = c;
  return e;
}

TEST(EventFilter, ContainerByNameGlobOrIdPrefix) {
  const std::string id(64, 'a');
  Event e = in_container("ci-runner-7", id);
  EXPECT_TRUE(EventFilter({}, "ci-runner-7").keep(e));
  EXPECT_TRUE(EventFilter({}, "ci-*").keep(e));
  EXPECT_TRUE(EventFilter({}, "aaaaaaaaaaaa").keep(e));   // docker ps short id
  EXPECT_FALSE(EventFilter({}, "aaa").keep(e));           // too short to be an id prefix
  EXPECT_FALSE(EventFilter({}, "web").keep(e));
  EXPECT_FALSE(EventFilter({}, "ci-*").keep(ev("send", 1, 1, 0)));  // host process
  EXPECT_TRUE(EventFilter({}, "web").keep(lost_event()));
}

TEST(EventFilter, OnlyFlagged) {
  EventFilter f({}, "", true);
  Event plain = ev("send", 400, 400, 1);
  plain.flags = {"truncated", "redacted"};  // capture flags do not count
  EXPECT_FALSE(f.keep(plain));
  for (const char* flag : {"container-originated", "namespaced", "unexpected-caller"}) {
    Event e = ev("send", 400, 400, 1);
    e.flags = {flag};
    EXPECT_TRUE(f.keep(e)) << flag;
  }
  EXPECT_TRUE(f.keep(lost_event()));
}

}  // namespace
}  // namespace sockwarden
