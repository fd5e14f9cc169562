// The pieces of sockwarden lint on their own: which host paths carry a
// runtime socket, suppression parsing, the shell word splitter.
#include <gtest/gtest.h>

#include "capture/watch_list.h"
#include "lint/container_cli.h"
#include "lint/runtime_sockets.h"
#include "lint/rules.h"
#include "lint/shell_tokens.h"
#include "lint/suppression.h"

namespace sockwarden::lint {
namespace {

SocketExposure exposure(const char* p) { return runtime_socket_exposure(p).kind; }

TEST(LintRuntimeSockets, EveryAgentDefaultSocketIsALintSocket) {
  auto patterns = lint_socket_patterns();
  for (const auto& spec : default_socket_specs())
    EXPECT_NE(std::find(patterns.begin(), patterns.end(), spec), patterns.end()) << spec;
}

TEST(LintRuntimeSockets, SocketsThemselves) {
  for (const char* p : {"/var/run/docker.sock", "/run/docker.sock", "//var//run/docker.sock", "/run/containerd/containerd.sock",
                        "/run/containerd/containerd.sock.ttrpc", "/run/containerd/s/0123abcd", "/var/run/crio/crio.sock",
                        "/run/podman/podman.sock", "/run/user/1000/docker.sock", "/run/user/1000/podman/podman.sock",
                        "$XDG_RUNTIME_DIR/docker.sock", "${XDG_RUNTIME_DIR}/podman/podman.sock",
                        "${SOCK:-/var/run/docker.sock}", "/srv/ci/docker.sock", "/run/buildkit/buildkitd.sock",
                        "/var/run/../run/docker.sock", "~/.docker/run/docker.sock", "$HOME/.docker/desktop/docker.sock"})
    EXPECT_EQ(exposure(p), SocketExposure::Socket) << p;
}

TEST(LintRuntimeSockets, DirectoriesAboveThem) {
  for (const char* p : {"/", "//", "/var", "/var/", "/run", "/var/run", "/var/run/", "/run/containerd", "/run/containerd/",
                        "/var/run/docker", "/run/user", "/run/user/1000", "/run/user/1000/podman", "/run/crio",
                        "/run/containerd/s", "$XDG_RUNTIME_DIR", "/run/k3s"})
    EXPECT_EQ(exposure(p), SocketExposure::ParentDir) << p;
}

TEST(LintRuntimeSockets, LookAlikesAreNotSockets) {
  for (const char* p : {"/runtime", "/runtime/docker.sock.d", "/var/run/docker.sock.bak", "/var/lib/docker",
                        "/run/containerd/io.containerd.runtime.v2.task", "/run/containers/storage",
                        "/var/lib/containers/storage", "/sys/fs/cgroup", "/var/log", "/run/lock", "data", "./run",
                        "/home/user/run"})
    EXPECT_EQ(exposure(p), SocketExposure::None) << p;
}

TEST(LintSuppression, ParsesIdsAndReason) {
  Suppression s = parse_allow_entry("SW-LINT-005, SW-LINT-006: node agent");
  EXPECT_EQ(s.rule_ids, (std::vector<std::string>{"SW-LINT-005", "SW-LINT-006"}));
  EXPECT_EQ(s.reason, "node agent");
  s = parse_allow_entry("SW-LINT-001 the CI cleanup job");
  EXPECT_EQ(s.rule_ids, (std::vector<std::string>{"SW-LINT-001"}));
  EXPECT_EQ(s.reason, "the CI cleanup job");
  EXPECT_TRUE(parse_allow_entry("SW-LINT-003").reason.empty());
  EXPECT_TRUE(parse_allow_entry("because").rule_ids.empty());
}

TEST(LintSuppression, CommentCoversTheNextStatementOnly) {
  std::vector<std::string> lines = {"# sockwarden-lint: allow SW-LINT-003 reviewed", "", "docker run \\",
                                    "  --privileged img", "docker run --privileged img"};
  auto sups = comment_suppressions(lines, false);
  ASSERT_EQ(sups.size(), 1u);
  EXPECT_EQ(sups[0].first_line, 3);
  EXPECT_EQ(sups[0].last_line, 4);
}

TEST(LintSuppression, WithoutReasonSuppressesNothingAndIsAFinding) {
  FindingSink sink("f");
  sink.add(2, rule::kPrivileged, "x");
  auto findings = sink.findings();
  FindingSink bad("f");
  apply_suppressions(findings, annotation_suppressions("SW-LINT-003", 1, 0, 100), bad);
  EXPECT_FALSE(findings[0].suppressed);
  ASSERT_EQ(bad.findings().size(), 1u);
  EXPECT_EQ(bad.findings()[0].rule_id, rule::kBadSuppression);
}

TEST(LintShellTokens, ContinuationsQuotesAndLines) {
  auto t = shell_tokens(std::vector<std::string>{"docker run \\", "  -v \"/a b:/c\" \\", "  img # -v /:/host", "ls"});
  std::vector<std::pair<std::string, int>> words;
  for (const auto& x : t)
    if (!x.boundary) words.push_back({x.text, x.line});
  EXPECT_EQ(words, (std::vector<std::pair<std::string, int>>{
                       {"docker", 1}, {"run", 1}, {"-v", 2}, {"/a b:/c", 2}, {"img", 3}, {"ls", 4}}));
}

TEST(LintShellTokens, MakeVariablesStayInTheWord) {
  auto t = shell_tokens("docker run -v $(PWD):/src --privileged $(IMAGE)", 1);
  FindingSink sink("Makefile");
  check_command_tokens(sink, t);
  ASSERT_EQ(sink.findings().size(), 1u);
  EXPECT_EQ(sink.findings()[0].rule_id, rule::kPrivileged);
}

TEST(LintShellTokens, ClusteredShortFlagsTakeTheValue) {
  FindingSink sink("x.sh");
  check_command_tokens(sink, shell_tokens("docker run -itv /var/run/docker.sock:/x -dp 80:80 img", 1));
  ASSERT_EQ(sink.findings().size(), 1u);
  EXPECT_EQ(sink.findings()[0].rule_id, rule::kSocketMount);
}

TEST(LintShellTokens, CommandSubstitutionIsScanned) {
  FindingSink sink("x.sh");
  check_command_tokens(sink, shell_tokens("ID=$(docker run -d --pid=host img)", 1));
  ASSERT_EQ(sink.findings().size(), 1u);
  EXPECT_EQ(sink.findings()[0].rule_id, rule::kHostPid);
}

TEST(LintRules, IdsAreUniqueAndComplete) {
  std::set<std::string> ids;
  for (const auto& r : lint_rules()) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    EXPECT_FALSE(r.name.empty());
    EXPECT_FALSE(r.summary.empty());
    EXPECT_FALSE(r.remediation.empty());
  }
  EXPECT_EQ(ids.size(), 11u);
}

}  // namespace
}  // namespace sockwarden::lint
