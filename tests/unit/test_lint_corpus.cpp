// sockwarden lint over tests/lint/corpus, compared exactly with
// tests/lint/expected.txt: a missing finding and an extra one both fail.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "lint/lint_runner.h"

namespace sockwarden::lint {
namespace {

const std::string kCorpus = std::string(SW_SOURCE_DIR) + "/tests/lint/corpus";

std::multiset<std::string> expected_findings() {
  std::ifstream in(std::string(SW_SOURCE_DIR) + "/tests/lint/expected.txt");
  EXPECT_TRUE(in) << "tests/lint/expected.txt missing";
  std::multiset<std::string> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.insert(line);
  return out;
}

std::string key(const LintFinding& f) {
  std::string file = f.file.substr(kCorpus.size() + 1);
  return file + ":" + std::to_string(f.line) + " " + f.rule_id + " " + severity_name(f.severity) +
         (f.suppressed ? " suppressed" : "");
}

TEST(LintCorpus, FindsExactlyTheExpectedFindings) {
  LintResult r = lint_paths({kCorpus});
  EXPECT_TRUE(r.errors.empty()) << r.errors.front().file << ": " << r.errors.front().message;
  std::multiset<std::string> got;
  for (const auto& f : r.findings) got.insert(key(f));
  std::multiset<std::string> want = expected_findings();
  for (const auto& w : want)
    EXPECT_EQ(got.count(w), want.count(w)) << "expected finding missing (or count differs): " << w;
  for (const auto& g : got) EXPECT_EQ(want.count(g), got.count(g)) << "unexpected finding: " << g;
  EXPECT_EQ(want.size(), 94u) << "tests/lint/expected.txt lost or gained lines";
}

TEST(LintCorpus, EveryCorpusFileIsScanned) {
  LintResult r = lint_paths({kCorpus});
  // compose 3, k8s 4, scripts 1, tricky 2, ci 4, systemd 9 (a drop-in), docker 1
  EXPECT_EQ(r.files_scanned, 24);
}

TEST(LintCorpus, SuppressedFindingsKeepTheirReason) {
  LintResult r = lint_paths({kCorpus + "/scripts/run-agent.sh"});
  int suppressed = 0;
  for (const auto& f : r.findings)
    if (f.suppressed) {
      suppressed++;
      EXPECT_EQ(f.suppression_reason, "the CI cleanup job, reviewed in SEC-42");
      EXPECT_EQ(f.suppression_line, 26);
    }
  EXPECT_EQ(suppressed, 1);
}

TEST(LintCorpus, ExitCodesFollowAudit) {
  EXPECT_EQ(lint_paths({kCorpus + "/compose/good.yml"}).exit_code(), 0);
  EXPECT_EQ(lint_paths({kCorpus + "/k8s/good.yaml", kCorpus + "/tricky"}).exit_code(), 0);
  // Only high/medium findings -> 1.
  EXPECT_EQ(lint_paths({kCorpus + "/systemd/docker-tls-noverify.service"}).exit_code(), 1);
  EXPECT_EQ(lint_paths({kCorpus + "/compose/bad-v2.yml"}).exit_code(), 2);
}

TEST(LintCorpus, MalformedYamlIsAnInputErrorWithItsLine) {
  LintResult r = lint_paths({std::string(SW_SOURCE_DIR) + "/tests/lint/bad-input/broken.yaml", kCorpus + "/compose/good.yml"});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 5);
  EXPECT_NE(r.errors[0].message.find("malformed YAML"), std::string::npos);
  EXPECT_EQ(r.files_scanned, 2);
  EXPECT_EQ(r.exit_code(), kExitInputError);
}

TEST(LintCorpus, MissingPathIsAnInputError) {
  LintResult r = lint_paths({"/nonexistent/sockwarden-lint-test"});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.exit_code(), kExitInputError);
}

}  // namespace
}  // namespace sockwarden::lint
