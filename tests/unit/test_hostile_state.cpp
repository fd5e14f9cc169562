// Malformed runtime state must never hide findings: a null where a string
// belongs reads as "", a spec that cannot be read is an audit-error for that
// container, and the continuous audit never reports a container's open
// findings as resolved because its state could not be evaluated.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit/container_posture.h"
#include "audit/finding_diff.h"
#include "audit_tree.h"
#include "lint/daemon_json_check.h"

namespace sockwarden::audit {
namespace {

using testing::TempTree;

const std::string kId = std::string(64, 'a');

TEST(HostileState, NullsInAnOciSpecDoNotThrow) {
  const char* spec =
      R"({"mounts":[{"type":null,"source":null,"destination":7,"options":["rbind",null]},)"
      R"({"type":"bind","source":"/","destination":null}],)"
      R"("linux":{"namespaces":[{"type":null},{"type":5,"path":null}],"devices":[{"path":null},{"path":["x"]}]},)"
      R"("process":{"capabilities":{"bounding":[null,"CAP_SYS_ADMIN",3]}}})";
  std::optional<DockerHostConfig> h;
  ASSERT_NO_THROW(h = posture_from_oci_spec(spec));
  ASSERT_TRUE(h);
  ASSERT_EQ(h->mounts.size(), 2u);
  EXPECT_EQ(h->mounts[1].source, "/") << "the well-formed members still count";
  EXPECT_EQ(h->mounts[1].destination, "");
}

TEST(HostileState, UnreadableSpecIsAnAuditErrorForThatContainerOnly) {
  TempTree t;
  const std::string kOther = std::string(64, 'b');
  t.write("tasks/default/" + kId + "/config.json", "[null]");  // valid JSON, not a spec
  t.write("tasks/default/" + kOther + "/config.json",
          R"({"mounts":[{"destination":"/h","type":"bind","source":"/"}],"linux":{"namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"}]}})");
  auto cs = containerd_postures(t.path("tasks"));
  ASSERT_EQ(cs.size(), 2u);
  std::vector<Finding> all;
  for (const auto& c : cs) {
    auto f = posture_findings(c, {});
    all.insert(all.end(), f.begin(), f.end());
  }
  bool error_for_bad = false, root_for_good = false;
  for (const auto& f : all) {
    error_for_bad = error_for_bad || (f.check == kAuditErrorCheck && f.container_id == kId);
    root_for_good = root_for_good || (f.check == "host-root-mount" && f.container_id == kOther);
  }
  EXPECT_TRUE(error_for_bad);
  EXPECT_TRUE(root_for_good) << "one bad spec does not hide the other containers' findings";
}

Finding container_finding(const std::string& id, const char* check) {
  Finding f;
  f.severity = Severity::Critical;
  f.check = check;
  f.subject = "container x";
  f.container_id = id;
  return f;
}

TEST(HostileState, AnAuditErrorNeverResolvesTheContainersFindings) {
  FindingTracker t;
  const std::string kOther = std::string(64, 'b');
  auto d = t.update({container_finding(kId, "host-root-mount"), container_finding(kOther, "privileged")});
  ASSERT_EQ(d.added.size(), 2u);
  ContainerPosture bad;
  bad.id = kId;
  bad.name = "x";
  bad.error = "config.json is not a JSON object";
  d = t.update({audit_error_finding(bad)});
  ASSERT_EQ(d.resolved.size(), 1u) << "only the container that was evaluated (and is gone) resolves";
  EXPECT_EQ(d.resolved[0].container_id, kOther);
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].check, kAuditErrorCheck);
  // Readable again and still mounting /: nothing new, nothing resolved but the error.
  d = t.update({container_finding(kId, "host-root-mount")});
  EXPECT_TRUE(d.added.empty());
  ASSERT_EQ(d.resolved.size(), 1u);
  EXPECT_EQ(d.resolved[0].check, kAuditErrorCheck);
}

TEST(HostileState, ASectionErrorResolvesNothing) {
  FindingTracker t;
  t.update({container_finding(kId, "host-root-mount")});
  Finding section;
  section.severity = Severity::Medium;
  section.check = kAuditErrorCheck;
  section.subject = "container state";
  auto d = t.update({section});
  EXPECT_TRUE(d.resolved.empty());
}

TEST(HostileState, DaemonJsonWithOddTypesDoesNotThrow) {
  lint::FindingSink sink("daemon.json");
  std::string error;
  const std::string text = R"({"hosts":["tcp://0.0.0.0:2375"],"tlsverify":"yes","tls":null})";
  bool ok = false;
  ASSERT_NO_THROW(ok = lint::check_daemon_json(sink, text, {text}, error));
  EXPECT_TRUE(ok);
  EXPECT_FALSE(sink.findings().empty()) << "a string \"yes\" is not tlsverify: the port is open";
}

}  // namespace
}  // namespace sockwarden::audit
