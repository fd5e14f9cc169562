// Linear time on hostile sizes, and lint staying inside the tree it walks:
// de-duplication by set (a body with tens of thousands of binds), YAML
// alias bombs refused, symlinks in a linted tree neither read nor followed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "audit_tree.h"
#include "model/decoded_request.h"
#include "lint/lint_runner.h"
#include "lint/yaml_budget.h"

namespace sockwarden {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(HostileSizes, AddRiskAndAnomalyDeduplicateInLinearTime) {
  DecodedRequest r;
  const int kN = 200000;  // a scan per add was ~2e10 comparisons here
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kN; i++) {
    r.add_risk("host-mount", "/p" + std::to_string(i));
    r.add_risk("host-mount", "/p" + std::to_string(i));  // duplicate
    r.add_anomaly("a" + std::to_string(i % 1000));
  }
  EXPECT_LT(seconds_since(t0), 5.0);
  EXPECT_EQ(r.risk.size(), static_cast<size_t>(kN));
  EXPECT_EQ(r.anomalies.size(), 1000u);
}

TEST(HostileSizes, DeduplicationSeesEntriesAddedDirectly) {
  DecodedRequest r;
  r.risk.push_back({"privileged", ""});
  r.anomalies.push_back("length-mismatch");
  r.add_risk("privileged");
  r.add_anomaly("length-mismatch");
  EXPECT_EQ(r.risk.size(), 1u);
  EXPECT_EQ(r.anomalies.size(), 1u);
  DecodedRequest copy = r;
  copy.risk.clear();  // shrunk: re-indexed from scratch
  copy.add_risk("privileged");
  EXPECT_EQ(copy.risk.size(), 1u);
}

std::string billion_laughs(int levels) {
  std::string y = "a0: &a0 [\"lol\"]\n";
  for (int i = 1; i <= levels; i++) {
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; k++) y += std::string(k ? "," : "") + "*a" + std::to_string(i - 1);
    y += "]\n";
  }
  return y;
}

TEST(HostileSizes, YamlAliasBombIsRefusedQuickly) {
  audit::testing::TempTree t;
  // 10^9 nodes when expanded; the checks used to walk every one of them.
  t.write("repo/ci.yml", billion_laughs(9) + "run: docker run --privileged x\n");
  auto t0 = std::chrono::steady_clock::now();
  lint::LintResult r = lint::lint_paths({t.path("repo")});
  EXPECT_LT(seconds_since(t0), 5.0);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("aliases"), std::string::npos) << r.errors[0].message;
  EXPECT_NE(r.exit_code(), 0) << "a refused file is not a clean one";
}

TEST(HostileSizes, YamlWithOrdinaryAnchorsIsStillChecked) {
  audit::testing::TempTree t;
  t.write("compose.yml",
          "x-common: &common\n  privileged: true\nservices:\n  a:\n    <<: *common\n    image: x\n  b:\n    image: y\n"
          "    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n");
  lint::LintResult r = lint::lint_paths({t.path("compose.yml")});
  EXPECT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.findings.empty());
}

TEST(HostileSizes, YamlBudgetCountsExpandedNodes) {
  auto docs = YAML::LoadAll(billion_laughs(4));  // 10^4 leaves
  EXPECT_EQ(lint::yaml_over_budget(docs, 1000000), "");
  EXPECT_NE(lint::yaml_over_budget(docs, 5000), "");
}

// A repository holding symlinks to a file and to a directory outside it:
// lint reads neither (they would leak the outside files' lines into the
// report, or walk the whole host).
TEST(HostileSizes, LintWalkDoesNotFollowSymlinks) {
  audit::testing::TempTree t;
  std::string bad = "services:\n  x:\n    image: x\n    privileged: true\n";
  t.write("outside/evil.yml", bad);
  t.write("outside/dir/nested.yml", bad);
  t.write("repo/ok.yml", "services:\n  x:\n    image: x\n");
  ASSERT_EQ(symlink(t.path("outside/evil.yml").c_str(), t.path("repo/link.yml").c_str()), 0);
  ASSERT_EQ(symlink(t.path("outside/dir").c_str(), t.path("repo/linkdir").c_str()), 0);
  lint::LintResult r = lint::lint_paths({t.path("repo")});
  EXPECT_EQ(r.files_scanned, 1);
  EXPECT_TRUE(r.findings.empty());
  for (const auto& f : r.findings) ADD_FAILURE() << "read through a symlink: " << f.file;
  // Named on the command line, the file is the user's choice and is read.
  lint::LintResult named = lint::lint_paths({t.path("outside/evil.yml")});
  EXPECT_FALSE(named.findings.empty());
}

}  // namespace
}  // namespace sockwarden
