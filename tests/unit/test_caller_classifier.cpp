#include "classify/caller_classifier.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace sockwarden;

namespace {

bool has(const Event& e, const std::string& f) { return std::find(e.flags.begin(), e.flags.end(), f) != e.flags.end(); }

Event call(const std::string& exe, uint32_t pidns = 10, uint32_t mntns = 20) {
  Event e;
  e.action = "send";
  e.process.edit().executable = exe;
  e.raw.pidns = pidns;
  e.raw.mntns = mntns;
  return e;
}

const HostNamespaces kHost{10, 20};

TEST(CallerClassifier, DaemonTalkingToContainerdIsExpected) {
  Event e = call("/usr/bin/dockerd");
  classify_caller(e, CallerPolicy::with_defaults(), kHost);
  EXPECT_TRUE(e.flags.empty());
  EXPECT_EQ(e.expected_by, "exe:/usr/bin/dockerd");
}

TEST(CallerClassifier, HostCurlIsUnexpected) {
  Event e = call("/usr/bin/curl");
  classify_caller(e, CallerPolicy::with_defaults(), kHost);
  EXPECT_EQ(e.flags, (std::vector<FlagName>{"unexpected-caller"}));
  EXPECT_TRUE(e.expected_by.empty());
}

TEST(CallerClassifier, ContainerCallerFlaggedUnlessItsImageIsExpected) {
  Event e = call("/usr/local/bin/docker", 99, 98);
  ContainerInfo c;
  c.ref.runtime = "docker";
  c.ref.id = std::string(64, 'b');
  c.name = "attacker";
  c.image = "local/busybox:1";
  c.trusted = true;
  e.container = c;
  Event copy = e;
  classify_caller(e, CallerPolicy::with_defaults(), kHost);
  EXPECT_TRUE(has(e, "container-originated"));
  EXPECT_TRUE(has(e, "unexpected-caller"));
  EXPECT_FALSE(has(e, "namespaced"));  // a runtime claims it
  auto policy = CallerPolicy::with_defaults();
  policy.add(parse_expected_spec("image:local/busybox:*", "test"));
  classify_caller(copy, policy, kHost);
  EXPECT_TRUE(has(copy, "container-originated"));
  EXPECT_FALSE(has(copy, "unexpected-caller"));
  EXPECT_EQ(copy.expected_by, "image:local/busybox:*");
}

TEST(CallerClassifier, UnclaimedNamespaceIsNamespaced) {
  Event e = call("/usr/bin/curl", 10, 77);  // unshare -m, no runtime
  classify_caller(e, CallerPolicy::with_defaults(), kHost);
  EXPECT_TRUE(has(e, "namespaced"));
  EXPECT_FALSE(has(e, "container-originated"));
}

// The memo keys a process by its serial: the same shared process classifies the same way, an
// edited one (a new image, new ancestors) is classified again, and so is the same process seen
// from another container or cgroup.
TEST(CallerClassifier, MemoFollowsProcessEditsContainersAndCgroups) {
  const auto policy = CallerPolicy::with_defaults();
  Event e = call("/usr/bin/dockerd");
  classify_caller(e, policy, kHost);
  EXPECT_TRUE(e.flags.empty());

  Event same = e;  // shares the ProcessInfo
  same.expected_by.clear();
  classify_caller(same, policy, kHost);
  EXPECT_TRUE(same.flags.empty());
  EXPECT_EQ(same.expected_by, "exe:/usr/bin/dockerd");

  Event edited = e;
  edited.expected_by.clear();
  edited.process.edit().executable = "/usr/bin/curl";  // the shared one stays dockerd
  classify_caller(edited, policy, kHost);
  EXPECT_TRUE(has(edited, "unexpected-caller"));
  EXPECT_TRUE(edited.expected_by.empty());

  Event again = e;
  again.expected_by.clear();
  classify_caller(again, policy, kHost);
  EXPECT_FALSE(has(again, "unexpected-caller"));
  EXPECT_EQ(again.expected_by, "exe:/usr/bin/dockerd");

  Event contained = e;
  contained.flags.clear();
  ContainerInfo c;
  c.ref.id = std::string(64, 'c');
  c.name = "ci";
  c.trusted = true;
  contained.container = c;
  classify_caller(contained, policy, kHost);
  EXPECT_TRUE(has(contained, "container-originated"));

  auto by_cgroup = CallerPolicy::with_defaults();
  by_cgroup.add(parse_expected_spec("cgroup:/system.slice/monitor.service", "test"));
  Event curl = call("/usr/bin/curl");
  curl.cgroup_path = "/system.slice/monitor.service";
  Event other = curl;
  other.cgroup_path = "/user.slice";
  classify_caller(curl, by_cgroup, kHost);
  classify_caller(other, by_cgroup, kHost);
  EXPECT_FALSE(has(curl, "unexpected-caller"));
  EXPECT_TRUE(has(other, "unexpected-caller"));
}

TEST(CallerClassifier, RepliesAndLossesAreNotClassified) {
  for (const char* action : {"reply", "lost"}) {
    Event e = call("/usr/bin/curl");
    e.action = action;
    classify_caller(e, CallerPolicy::with_defaults(), kHost);
    EXPECT_TRUE(e.flags.empty()) << action;
  }
}

}  // namespace
