#include "format/summary.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace sockwarden {
namespace {

Event ev(const std::string& action, uint32_t tgid, const std::string& comm, uint64_t bytes = 0,
         const std::string& outcome = "success", uint32_t uid = 0, const std::string& cgroup = "/") {
  Event e;
  e.action = action;
  e.outcome = outcome;
  e.raw.tgid = tgid;
  e.raw.comm = comm;
  e.process.edit().name = comm;
  e.raw.uid = uid;
  e.raw.bytes = bytes;
  e.cgroup_path = cgroup;
  return e;
}

Event lost(uint64_t n) {
  Event e;
  e.action = "lost";
  e.lost = n;
  e.lost_cause = "ringbuf-full";
  return e;
}

CallerSummary sample() {
  CallerSummary s;
  // docker: 1 connect + 3 sends = 4
  s.add(ev("connect", 100, "docker"));
  for (int i = 0; i < 3; ++i) s.add(ev("send", 100, "docker", 100));
  // curl: 2 connects (1 failed) + 4 sends = 6, the busiest
  s.add(ev("connect", 200, "curl", 0, "success", 1000, "/user.slice"));
  s.add(ev("connect", 200, "curl", 0, "failure", 1000, "/user.slice"));
  for (int i = 0; i < 4; ++i) s.add(ev("send", 200, "curl", 10, "success", 1000, "/user.slice"));
  // same pid and comm, other uid: a different caller
  s.add(ev("connect", 200, "curl", 0, "success", 0, "/user.slice"));
  // replies are events but not callers
  s.add(ev("reply", 1, "dockerd", 5000));
  s.add(lost(3));
  s.add(lost(4));
  return s;
}

TEST(CallerSummary, AggregatesPerCallerAndSortsByActivity) {
  auto s = sample();
  EXPECT_EQ(s.events(), 12u);
  EXPECT_EQ(s.lost(), 7u);
  auto c = s.callers();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].tgid, 200u);
  EXPECT_EQ(c[0].comm, "curl");
  EXPECT_EQ(c[0].uid, 1000u);
  EXPECT_EQ(c[0].cgroup_path, "/user.slice");
  EXPECT_EQ(c[0].connects, 2u);
  EXPECT_EQ(c[0].failed_connects, 1u);
  EXPECT_EQ(c[0].sends, 4u);
  EXPECT_EQ(c[0].bytes, 40u);
  EXPECT_EQ(c[1].tgid, 100u);
  EXPECT_EQ(c[1].connects, 1u);
  EXPECT_EQ(c[1].sends, 3u);
  EXPECT_EQ(c[1].bytes, 300u);
  EXPECT_EQ(c[2].uid, 0u);
  EXPECT_EQ(c[2].comm, "curl");
  EXPECT_EQ(c[2].connects, 1u);
}

TEST(CallerSummary, PrintShowsTopTotalsAndLost) {
  auto s = sample();
  std::ostringstream out;
  s.print(out, 2);
  std::string text = out.str();
  std::istringstream in(text);
  std::string title, header, first, second, more, totals, lost_line;
  std::getline(in, title);
  std::getline(in, header);
  std::getline(in, first);
  std::getline(in, second);
  std::getline(in, more);
  std::getline(in, totals);
  std::getline(in, lost_line);
  EXPECT_EQ(title, "Top callers");
  EXPECT_NE(header.find("CONNECTS"), std::string::npos);
  EXPECT_NE(first.find("curl"), std::string::npos);
  EXPECT_NE(first.find("200"), std::string::npos);
  EXPECT_NE(first.find("1000"), std::string::npos);
  EXPECT_NE(first.find("user.slice"), std::string::npos);
  EXPECT_NE(second.find("docker"), std::string::npos);
  EXPECT_NE(second.find("300"), std::string::npos);
  EXPECT_EQ(more, "  ... 1 more");
  EXPECT_EQ(totals, "total: 12 events, 4 connects (1 failed), 7 sends, 340 bytes, 3 callers");
  EXPECT_EQ(lost_line, "lost events: 7");
}

TEST(CallerSummary, EmptySummaryStillReportsZeroLost) {
  CallerSummary s;
  std::ostringstream out;
  s.print(out);
  EXPECT_NE(out.str().find("total: 0 events"), std::string::npos);
  EXPECT_NE(out.str().find("lost events: 0\n"), std::string::npos);
  EXPECT_EQ(s.to_json(), nlohmann::json::parse(R"({"summary":{"events":0,"lost":0,"callers":[]}})"));
}

TEST(CallerSummary, JsonListsAllCallersInOrder) {
  auto j = sample().to_json();
  const auto& sum = j["summary"];
  EXPECT_EQ(sum["events"], 12);
  EXPECT_EQ(sum["lost"], 7);
  ASSERT_EQ(sum["callers"].size(), 3u);
  EXPECT_EQ(sum["callers"][0], nlohmann::json::parse(R"({"pid":200,"name":"curl","uid":1000,
      "cgroup":"/user.slice","connects":2,"failed_connects":1,"sends":4,"bytes":40})"));
  EXPECT_EQ(sum["callers"][1]["pid"], 100);
  EXPECT_EQ(sum["callers"][2]["uid"], 0);
}

TEST(CallerSummary, FallsBackToRawCommWhenNameUnknown) {
  CallerSummary s;
  Event e = ev("send", 7, "");
  e.raw.comm = "kworker";
  s.add(e);
  ASSERT_EQ(s.callers().size(), 1u);
  EXPECT_EQ(s.callers()[0].comm, "kworker");
}

}  // namespace
}  // namespace sockwarden
