#include "classify/caller_policy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "capture/errors.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

using Kind = ExpectedCaller::Kind;
using Flags = std::vector<FlagName>;

const HostNamespaces kHost{4026531836, 4026531840};

CallerFacts host_process(const std::string& exe, uint32_t uid = 1000) {
  CallerFacts f;
  f.executable = exe;
  f.uid = uid;
  f.pidns = 4026531836;
  f.mntns = 4026531840;
  return f;
}

CallerFacts container_process(const std::string& exe, const std::string& name, const std::string& image) {
  CallerFacts f;
  f.executable = exe;
  f.uid = 0;
  f.in_container = true;
  f.container_name = name;
  f.container_image = image;
  f.container_trusted = true;  // as resolved from root-owned runtime state
  f.pidns = 4026532500;
  f.mntns = 4026532501;
  return f;
}


// The message of the UserError that fn throws, or "" if it throws none.
template <typename Fn>
std::string user_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    EXPECT_EQ(e.code(), kExitUsage);
    return e.what();
  }
  ADD_FAILURE() << "no UserError thrown";
  return "";
}

// --- defaults ---------------------------------------------------------------

TEST(CallerPolicyDefaults, RuntimeDaemonsAndShimsAreExpected) {
  auto p = CallerPolicy::with_defaults();
  for (const char* exe :
       {"/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/local/bin/dockerd", "/usr/bin/containerd",
        "/usr/local/bin/containerd", "/var/lib/rancher/k3s/data/abc/bin/containerd",
        "/usr/bin/containerd-shim-runc-v2", "/usr/bin/containerd-shim", "/usr/sbin/runc", "/usr/bin/crun",
        "/usr/bin/kubelet", "/usr/local/bin/kubelet", "/usr/bin/crio", "/usr/libexec/podman/conmon",
        "/usr/local/bin/buildkitd", "/usr/bin/docker-proxy", "/usr/bin/dockerd-rootless.sh",
        "/home/u/bin/rootlesskit"}) {
    const ExpectedCaller* rule = p.match(host_process(exe), kHost);
    ASSERT_NE(rule, nullptr) << exe;
    EXPECT_EQ(rule->origin, "default");
    EXPECT_EQ(rule->kind, Kind::Executable);
  }
}

TEST(CallerPolicyDefaults, ClientsAreNotExpected) {
  auto p = CallerPolicy::with_defaults();
  for (const char* exe : {"/usr/bin/docker", "/usr/local/bin/docker", "/usr/bin/curl", "/usr/bin/crictl",
                          "/usr/bin/ctr", "/usr/local/bin/nerdctl", "/usr/bin/kubectl", "/usr/bin/podman",
                          "/usr/bin/python3", "/tmp/dockerd", "/home/u/dockerd", "/usr/bin/containerd-stargz-grpc",
                          "/usr/bin/runc-wrapper", ""}) {
    EXPECT_FALSE(p.expected(host_process(exe), kHost)) << exe;
  }
}

TEST(CallerPolicyDefaults, RootIsNotExpectedByUidAlone) {
  auto p = CallerPolicy::with_defaults();
  EXPECT_FALSE(p.expected(host_process("/usr/bin/docker", 0), kHost));
}

TEST(CallerPolicyDefaults, EmptyPolicyExpectsNobody) {
  CallerPolicy p;
  EXPECT_FALSE(p.expected(host_process("/usr/bin/dockerd", 0), kHost));
  EXPECT_TRUE(p.rules().empty());
}

// --- specs ------------------------------------------------------------------

TEST(CallerPolicySpec, CgroupRuleMatchesThePathAndBelow) {
  auto r = parse_expected_spec("cgroup:/system.slice/monitoring.service", "--expect");
  EXPECT_EQ(r.kind, Kind::Cgroup);
  EXPECT_EQ(to_spec(r), "cgroup:/system.slice/monitoring.service");
  CallerPolicy p;
  p.add(r);
  CallerFacts f;
  f.cgroup_path = "/system.slice/monitoring.service";
  EXPECT_TRUE(p.expected(f, kHost));
  f.cgroup_path = "/system.slice/monitoring.service/worker";
  EXPECT_TRUE(p.expected(f, kHost));
  f.cgroup_path = "/system.slice/monitoring.service2";
  EXPECT_FALSE(p.expected(f, kHost));
  f.cgroup_path = "";
  EXPECT_FALSE(p.expected(f, kHost));
  EXPECT_THROW(parse_expected_spec("cgroup:relative/path", "--expect"), UserError);
}

TEST(CallerPolicySpec, ExecutableForms) {
  auto r = parse_expected_spec("exe:/usr/bin/dockerd", "--expect");
  EXPECT_EQ(r.kind, Kind::Executable);
  EXPECT_EQ(r.pattern, "/usr/bin/dockerd");
  EXPECT_EQ(r.origin, "--expect");

  auto bare = parse_expected_spec("/usr/local/bin/my-dashboard", "--expect");
  EXPECT_EQ(bare.kind, Kind::Executable);
  EXPECT_EQ(bare.pattern, "/usr/local/bin/my-dashboard");

  auto glob = parse_expected_spec("exe:*/my-agent", "--expect");
  EXPECT_EQ(glob.pattern, "*/my-agent");

  // A path containing ':' is still a path.
  auto colon = parse_expected_spec("/opt/a:b/tool", "--expect");
  EXPECT_EQ(colon.kind, Kind::Executable);
  EXPECT_EQ(colon.pattern, "/opt/a:b/tool");
}

TEST(CallerPolicySpec, Uid) {
  auto r = parse_expected_spec("uid:0", "--expect");
  EXPECT_EQ(r.kind, Kind::Uid);
  EXPECT_EQ(r.uid, 0u);
  EXPECT_EQ(parse_expected_spec("uid:1001", "x").uid, 1001u);
  EXPECT_EQ(parse_expected_spec("uid:4294967295", "x").uid, 4294967295u);
}

TEST(CallerPolicySpec, ContainerAndImage) {
  auto c = parse_expected_spec("container:ci-*", "--expect");
  EXPECT_EQ(c.kind, Kind::ContainerName);
  EXPECT_EQ(c.pattern, "ci-*");
  // Only the first ':' separates the kind: image tags keep theirs.
  auto i = parse_expected_spec("image:company/runner:*", "--expect");
  EXPECT_EQ(i.kind, Kind::Image);
  EXPECT_EQ(i.pattern, "company/runner:*");
}

TEST(CallerPolicySpec, RoundTripsThroughToSpec) {
  for (const char* spec : {"exe:/usr/bin/dockerd", "uid:1001", "container:ci-*", "image:company/runner:*"})
    EXPECT_EQ(to_spec(parse_expected_spec(spec, "x")), spec);
  EXPECT_EQ(to_spec(parse_expected_spec("/usr/bin/x", "x")), "exe:/usr/bin/x");
}

TEST(CallerPolicySpec, BadSpecsNameTheSpecAndTheForms) {
  for (const char* spec : {"", "dockerd", "user:root", "uid:", "uid:abc", "uid:-1", "uid:4294967296", "uid: 1",
                           "container:", "image:", "exe:", "exe:dockerd", "EXE:/usr/bin/x", "relative/path"}) {
    std::string msg = user_error_of([&] { parse_expected_spec(spec, "--expect"); });
    EXPECT_NE(msg.find("'" + std::string(spec) + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--expect"), std::string::npos) << msg;
    EXPECT_NE(msg.find("exe:GLOB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("uid:N"), std::string::npos) << msg;
    EXPECT_NE(msg.find("container:GLOB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("image:GLOB"), std::string::npos) << msg;
  }
}

TEST(CallerPolicySpec, BareNameSuggestsAGlob) {
  std::string msg = user_error_of([] { parse_expected_spec("exe:dockerd", "--expect"); });
  EXPECT_NE(msg.find("*/dockerd"), std::string::npos) << msg;
}

// --- matching and globs -----------------------------------------------------

TEST(CallerPolicyMatch, GlobStarCrossesSlashes) {
  CallerPolicy p;
  p.add(parse_expected_spec("exe:*/my-agent", "--expect"));
  EXPECT_TRUE(p.expected(host_process("/opt/vendor/bin/my-agent"), kHost));
  EXPECT_TRUE(p.expected(host_process("/my-agent"), kHost));
  EXPECT_FALSE(p.expected(host_process("/opt/vendor/bin/my-agent2"), kHost));
  EXPECT_FALSE(p.expected(host_process("my-agent"), kHost));

  CallerPolicy q;
  q.add(parse_expected_spec("/opt/*", "--expect"));
  EXPECT_TRUE(q.expected(host_process("/opt/a/b/c"), kHost));
}

TEST(CallerPolicyMatch, GlobClassesAndQuestionMark) {
  CallerPolicy p;
  p.add(parse_expected_spec("/usr/bin/tool[0-9]", "x"));
  p.add(parse_expected_spec("container:job-?", "x"));
  EXPECT_TRUE(p.expected(host_process("/usr/bin/tool7"), kHost));
  EXPECT_FALSE(p.expected(host_process("/usr/bin/toolx"), kHost));
  EXPECT_TRUE(p.expected(container_process("/bin/sh", "job-a", "alpine"), kHost));
  EXPECT_FALSE(p.expected(container_process("/bin/sh", "job-ab", "alpine"), kHost));
}

TEST(CallerPolicyMatch, ExactPatternIsExact) {
  CallerPolicy p;
  p.add(parse_expected_spec("/usr/bin/dockerd", "x"));
  EXPECT_TRUE(p.expected(host_process("/usr/bin/dockerd"), kHost));
  EXPECT_FALSE(p.expected(host_process("/usr/bin/dockerd2"), kHost));
  EXPECT_FALSE(p.expected(host_process("/x/usr/bin/dockerd"), kHost));
}

TEST(CallerPolicyMatch, UidMatchesInsideAndOutsideContainers) {
  CallerPolicy p;
  p.add(parse_expected_spec("uid:1001", "x"));
  EXPECT_TRUE(p.expected(host_process("/usr/bin/docker", 1001), kHost));
  EXPECT_FALSE(p.expected(host_process("/usr/bin/docker", 1000), kHost));
  auto c = container_process("/bin/docker", "a", "b");
  c.uid = 1001;
  EXPECT_TRUE(p.expected(c, kHost));
}

TEST(CallerPolicyMatch, ContainerAndImageRulesOnlyForContainerCallers) {
  CallerPolicy p;
  p.add(parse_expected_spec("container:ci-*", "x"));
  p.add(parse_expected_spec("image:company/runner:*", "x"));
  EXPECT_TRUE(p.expected(container_process("/usr/bin/docker", "ci-42", "alpine:3"), kHost));
  EXPECT_TRUE(p.expected(container_process("/usr/bin/docker", "web", "company/runner:1.2"), kHost));
  EXPECT_FALSE(p.expected(container_process("/usr/bin/docker", "web", "company/runner"), kHost));
  EXPECT_FALSE(p.expected(container_process("/usr/bin/docker", "web", "nginx:1"), kHost));

  // Stale container fields on a host process never count.
  auto host = host_process("/usr/bin/docker");
  host.container_name = "ci-42";
  host.container_image = "company/runner:1.2";
  EXPECT_FALSE(p.expected(host, kHost));
}

// A name from a rootless store or on a delegated cgroup is the user's own
// choice: it labels the event but never makes the caller expected.
TEST(CallerPolicyMatch, UntrustedContainerNamesMatchNoRule) {
  CallerPolicy p;
  p.add(parse_expected_spec("container:ci-*", "x"));
  p.add(parse_expected_spec("image:company/runner:*", "x"));
  auto forged = container_process("/usr/bin/docker", "ci-42", "company/runner:1.2");
  forged.container_trusted = false;
  EXPECT_FALSE(p.expected(forged, kHost));
}

// A container chooses its own paths: its client copied to /tmp/runc must not
// match the default */runc rule, nor any exe rule.
TEST(CallerPolicyMatch, ExecutableRuleNeverMatchesContainerizedProcess) {
  auto p = CallerPolicy::with_defaults();
  p.add(parse_expected_spec("/usr/local/bin/my-dashboard", "x"));
  EXPECT_FALSE(p.expected(container_process("/usr/local/bin/my-dashboard", "dash", "dash:1"), kHost));
  EXPECT_FALSE(p.expected(container_process("/tmp/runc", "dash", "dash:1"), kHost));
  EXPECT_TRUE(p.expected(host_process("/tmp/runc"), kHost));  // control: the same path on the host

  // In the host's mount namespace but in a container cgroup that no runtime
  // claimed (enrich found no metadata): still not a host process.
  auto f = host_process("/tmp/runc");
  f.cgroup_path = "/system.slice/docker-" + std::string(64, 'a') + ".scope";
  EXPECT_FALSE(p.expected(f, kHost));
  f.cgroup_path = "/system.slice/cron.service";
  EXPECT_TRUE(p.expected(f, kHost));

  // A private mount namespace (unshare -m) can mount anything at /usr/bin.
  auto g = host_process("/usr/bin/dockerd");
  g.mntns = 4026532999;
  EXPECT_FALSE(p.expected(g, kHost));
  // Unknown namespaces on either side fail closed.
  auto h = host_process("/usr/bin/dockerd");
  h.mntns = 0;
  EXPECT_FALSE(p.expected(h, kHost));
  EXPECT_FALSE(p.expected(host_process("/usr/bin/dockerd"), HostNamespaces{}));
}

// Non-exe rules do not depend on the caller's namespaces.
TEST(CallerPolicyMatch, UidRuleMatchesWhateverTheNamespace) {
  CallerPolicy p;
  p.add(parse_expected_spec("uid:1001", "x"));
  auto f = host_process("/tmp/runc", 1001);
  f.mntns = 4026532999;
  EXPECT_TRUE(p.expected(f, kHost));
}

TEST(CallerPolicyMatch, AncestorsDoNotMakeACallerExpected) {
  auto p = CallerPolicy::with_defaults();
  auto f = host_process("/usr/bin/docker");
  f.ancestor_executables = {"/usr/bin/containerd-shim-runc-v2", "/usr/bin/containerd"};
  EXPECT_FALSE(p.expected(f, kHost));
}

TEST(CallerPolicyMatch, ReturnsFirstMatchingRuleInOrder) {
  CallerPolicy p;
  p.add(parse_expected_spec("uid:0", "first"));
  p.add(parse_expected_spec("/usr/bin/docker", "second"));
  const ExpectedCaller* r = p.match(host_process("/usr/bin/docker", 0), kHost);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->origin, "first");
  r = p.match(host_process("/usr/bin/docker", 5), kHost);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->origin, "second");
  EXPECT_EQ(to_spec(*r), "exe:/usr/bin/docker");
  EXPECT_EQ(p.match(host_process("/usr/bin/curl", 5), kHost), nullptr);
}

// --- YAML file --------------------------------------------------------------

class CallerPolicyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_callers_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& content) {
    std::string path = (dir_ / "callers.yaml").string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  // Loads content into a fresh default policy; returns the error message.
  std::string load_error(const std::string& content) {
    path_ = write(content);
    auto p = CallerPolicy::with_defaults();
    size_t before = p.rules().size();
    std::string msg = user_error_of([&] { p.load_file(path_); });
    EXPECT_EQ(p.rules().size(), before) << "a file with an error must add nothing";
    return msg;
  }
  std::string at(int line) const { return path_ + ":" + std::to_string(line) + ":"; }

  fs::path dir_;
  std::string path_;
};

TEST_F(CallerPolicyFile, LoadsEveryKindWithFileAndLineAsOrigin) {
  std::string path = write(
      "# who may talk to docker.sock\n"
      "expected_callers:\n"
      "  - exe: /usr/local/bin/my-dashboard\n"
      "  - uid: 1001\n"
      "  - container: \"monitoring-*\"\n"
      "  - image: \"company/runner:*\"\n"
      "  - exe: '*/backup-agent'\n");
  CallerPolicy p;
  p.load_file(path);
  ASSERT_EQ(p.rules().size(), 5u);
  EXPECT_EQ(p.rules()[0].kind, Kind::Executable);
  EXPECT_EQ(p.rules()[0].pattern, "/usr/local/bin/my-dashboard");
  EXPECT_EQ(p.rules()[0].origin, path + ":3");
  EXPECT_EQ(p.rules()[1].kind, Kind::Uid);
  EXPECT_EQ(p.rules()[1].uid, 1001u);
  EXPECT_EQ(p.rules()[1].origin, path + ":4");
  EXPECT_EQ(p.rules()[2].kind, Kind::ContainerName);
  EXPECT_EQ(p.rules()[2].pattern, "monitoring-*");
  EXPECT_EQ(p.rules()[3].kind, Kind::Image);
  EXPECT_EQ(p.rules()[3].pattern, "company/runner:*");
  EXPECT_EQ(p.rules()[3].origin, path + ":6");
  EXPECT_EQ(p.rules()[4].pattern, "*/backup-agent");

  EXPECT_TRUE(p.expected(host_process("/usr/local/bin/my-dashboard"), kHost));
  EXPECT_TRUE(p.expected(host_process("/usr/bin/curl", 1001), kHost));
  EXPECT_TRUE(p.expected(container_process("/bin/curl", "monitoring-1", "x"), kHost));
  EXPECT_TRUE(p.expected(container_process("/bin/curl", "x", "company/runner:2"), kHost));
  EXPECT_TRUE(p.expected(host_process("/opt/backup/backup-agent"), kHost));
}

TEST_F(CallerPolicyFile, AppendsToDefaults) {
  std::string path = write("expected_callers:\n  - uid: 1001\n");
  auto p = CallerPolicy::with_defaults();
  size_t defaults = p.rules().size();
  p.load_file(path);
  EXPECT_EQ(p.rules().size(), defaults + 1);
  EXPECT_TRUE(p.expected(host_process("/usr/bin/dockerd"), kHost));
  EXPECT_TRUE(p.expected(host_process("/usr/bin/curl", 1001), kHost));
}

TEST_F(CallerPolicyFile, EmptyListAndFlowStyleAreFine) {
  CallerPolicy p;
  p.load_file(write("expected_callers: []\n"));
  EXPECT_TRUE(p.rules().empty());
  p.load_file(write("expected_callers: [{uid: 7}, {exe: /bin/x}]\n"));
  EXPECT_EQ(p.rules().size(), 2u);
}

TEST_F(CallerPolicyFile, MissingFile) {
  auto p = CallerPolicy::with_defaults();
  std::string path = (dir_ / "nope.yaml").string();
  std::string msg = user_error_of([&] { p.load_file(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, DirectoryIsUnreadable) {
  auto p = CallerPolicy::with_defaults();
  std::string msg = user_error_of([&] { p.load_file(dir_.string()); });
  EXPECT_NE(msg.find(dir_.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("directory"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, SyntaxError) {
  std::string msg = load_error("expected_callers:\n  - exe: /bin/x\n  - uid: [1, 2\n");
  EXPECT_NE(msg.find(path_ + ":"), std::string::npos) << msg;
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  - exe: /bin/x\n - uid: 1\n");  // bad indentation
  EXPECT_NE(msg.find(at(3)), std::string::npos) << msg;
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n\t- exe: /bin/x\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, EmptyFile) {
  std::string msg = load_error("");
  EXPECT_NE(msg.find(at(1)), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected_callers"), std::string::npos) << msg;
  msg = load_error("# only a comment\n");
  EXPECT_NE(msg.find("expected a mapping"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, TopLevelNotAMapping) {
  std::string msg = load_error("- exe: /bin/x\n");
  EXPECT_NE(msg.find(at(1)), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected a mapping with the key expected_callers, found a list"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, UnknownTopLevelKey) {
  std::string msg = load_error("# typo below\nexpected_caller:\n  - exe: /bin/x\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'expected_caller'"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, ExpectedCallersNotAList) {
  std::string msg = load_error("expected_callers: /usr/bin/x\n");
  EXPECT_NE(msg.find(at(1)), std::string::npos) << msg;
  EXPECT_NE(msg.find("must be a list"), std::string::npos) << msg;
  EXPECT_NE(msg.find("found a scalar"), std::string::npos) << msg;

  msg = load_error("\nexpected_callers:\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("found nothing"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  exe: /bin/x\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("found a mapping"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, EntryNotAMapping) {
  std::string msg = load_error("expected_callers:\n  - exe: /bin/x\n  - /usr/bin/y\n");
  EXPECT_NE(msg.find(at(3)), std::string::npos) << msg;
  EXPECT_NE(msg.find("entry must be a mapping"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, UnknownEntryKey) {
  std::string msg = load_error("expected_callers:\n  - exe: /bin/x\n\n  - user: root\n");
  EXPECT_NE(msg.find(at(4)), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'user'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exe, uid, container, image or cgroup"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, TwoKeysInOneEntry) {
  std::string msg = load_error("expected_callers:\n  - exe: /bin/x\n    uid: 5\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 keys"), std::string::npos) << msg;
}

TEST_F(CallerPolicyFile, WrongValueTypes) {
  std::string msg = load_error("expected_callers:\n  - exe: [/bin/a, /bin/b]\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("'exe' needs a string, found a list"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  - uid:\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("'uid' needs a number, found nothing"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  - exe: /bin/x\n  - uid: root\n");
  EXPECT_NE(msg.find(at(3)), std::string::npos) << msg;
  EXPECT_NE(msg.find("uid must be a number"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  - uid: -1\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  - container: {a: b}\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("found a mapping"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  - exe: dockerd\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
  EXPECT_NE(msg.find("*/dockerd"), std::string::npos) << msg;

  msg = load_error("expected_callers:\n  - image: \"\"\n");
  EXPECT_NE(msg.find(at(2)), std::string::npos) << msg;
}

// --- flags ------------------------------------------------------------------

TEST(CallerFlags, HostExpectedCallerHasNone) {
  auto p = CallerPolicy::with_defaults();
  EXPECT_EQ(caller_flags(host_process("/usr/bin/dockerd", 0), kHost, p), Flags{});
}

TEST(CallerFlags, HostUnexpectedCaller) {
  auto p = CallerPolicy::with_defaults();
  EXPECT_EQ(caller_flags(host_process("/usr/bin/docker"), kHost, p), Flags{"unexpected-caller"});
  EXPECT_EQ(caller_flags(host_process("/usr/bin/curl", 0), kHost, p), Flags{"unexpected-caller"});
}

TEST(CallerFlags, ContainerCaller) {
  auto p = CallerPolicy::with_defaults();
  auto c = container_process("/usr/bin/docker", "ci-7", "company/runner:3");
  // Its namespaces differ from the host's, but a runtime claims it: not "namespaced".
  EXPECT_EQ(caller_flags(c, kHost, p), (Flags{"container-originated", "unexpected-caller"}));

  auto by_name = p;
  by_name.add(parse_expected_spec("container:ci-*", "--expect"));
  EXPECT_EQ(caller_flags(c, kHost, by_name), Flags{"container-originated"});

  auto by_image = p;
  by_image.add(parse_expected_spec("image:company/runner:*", "--expect"));
  EXPECT_EQ(caller_flags(c, kHost, by_image), Flags{"container-originated"});
}

TEST(CallerFlags, UnshareSandboxIsNamespaced) {
  auto p = CallerPolicy::with_defaults();
  auto f = host_process("/usr/bin/curl");
  f.mntns = 4026532999;  // unshare -m: own mount namespace, host pid namespace, no container cgroup
  EXPECT_EQ(caller_flags(f, kHost, p), (Flags{"namespaced", "unexpected-caller"}));

  auto g = host_process("/usr/bin/curl");
  g.pidns = 4026532998;  // unshare -p
  EXPECT_EQ(caller_flags(g, kHost, p), (Flags{"namespaced", "unexpected-caller"}));

  // An exe rule does not vouch for a sandbox: it mounts what it likes at
  // /usr/bin/dockerd.
  auto d = host_process("/usr/bin/dockerd");
  d.mntns = 4026532999;
  EXPECT_EQ(caller_flags(d, kHost, p), (Flags{"namespaced", "unexpected-caller"}));
}

TEST(CallerFlags, UnknownNamespacesNeverCountAsDifferent) {
  auto p = CallerPolicy::with_defaults();
  auto f = host_process("/usr/bin/dockerd");
  f.mntns = 4026532999;
  // Not "namespaced", but exe rules fail closed: the caller is unexpected.
  EXPECT_EQ(caller_flags(f, HostNamespaces{}, p), Flags{"unexpected-caller"});  // host unreadable
  auto g = host_process("/usr/bin/dockerd");
  g.pidns = 0;
  g.mntns = 0;
  EXPECT_EQ(caller_flags(g, kHost, p), Flags{"unexpected-caller"});  // caller's unknown
  g.uid = 0;
  p.add(parse_expected_spec("uid:0", "x"));
  EXPECT_EQ(caller_flags(g, kHost, p), Flags{});  // a uid rule still applies
}

// --- host namespaces --------------------------------------------------------

class CallerHostNamespaces : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_ns_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(CallerHostNamespaces, ReadsLinksOfAFakeProcTree) {
  fs::create_directories(root_ / "1" / "ns");
  // Dangling, exactly like the real ones when read from outside the kernel.
  fs::create_symlink("pid:[123]", root_ / "1" / "ns" / "pid");
  fs::create_symlink("mnt:[4026531840]", root_ / "1" / "ns" / "mnt");
  auto h = HostNamespaces::read(root_.string());
  EXPECT_EQ(h.pidns, 123u);
  EXPECT_EQ(h.mntns, 4026531840u);
}

TEST_F(CallerHostNamespaces, MissingEntriesReadAsUnknown) {
  auto h = HostNamespaces::read(root_.string());
  EXPECT_EQ(h.pidns, 0u);
  EXPECT_EQ(h.mntns, 0u);
}

TEST_F(CallerHostNamespaces, FallsBackToTheInodeOfANonLink) {
  fs::create_directories(root_ / "1" / "ns");
  std::ofstream(root_ / "1" / "ns" / "pid") << "";
  fs::create_symlink("garbage", root_ / "1" / "ns" / "mnt");
  struct stat st {};
  ASSERT_EQ(::stat((root_ / "1" / "ns" / "pid").c_str(), &st), 0);
  auto h = HostNamespaces::read(root_.string());
  EXPECT_EQ(h.pidns, static_cast<uint32_t>(st.st_ino));
  EXPECT_EQ(h.mntns, 0u);  // dangling link with no inode
}

uint32_t self_ns(const char* name) {
  struct stat st {};
  if (::stat((std::string("/proc/self/ns/") + name).c_str(), &st) != 0) return 0;
  return static_cast<uint32_t>(st.st_ino);
}

TEST_F(CallerHostNamespaces, ReadsRealKernelLinks) {
  // PID 1 of this fake tree is this process: the links are the kernel's own.
  fs::create_symlink("/proc/self", root_ / "1");
  auto h = HostNamespaces::read(root_.string());
  ASSERT_NE(self_ns("pid"), 0u);
  EXPECT_EQ(h.pidns, self_ns("pid"));
  EXPECT_EQ(h.mntns, self_ns("mnt"));
}

TEST(CallerHostNamespacesReal, ReadsProcOrReportsUnknown) {
  auto h = HostNamespaces::read();
  char buf[64];
  if (::readlink("/proc/1/ns/pid", buf, sizeof buf) < 0) {
    // No ptrace access to PID 1 (a sandbox): the agent's own namespaces stand in.
    EXPECT_EQ(h.pidns, self_ns("pid"));
    EXPECT_EQ(h.mntns, self_ns("mnt"));
    return;
  }
  struct stat pid1 {};
  ASSERT_EQ(::stat("/proc/1/ns/pid", &pid1), 0);
  EXPECT_EQ(h.pidns, static_cast<uint32_t>(pid1.st_ino));
  EXPECT_NE(h.mntns, 0u);
  // This process shares PID 1's pid namespace: PID 1 is that namespace's init.
  EXPECT_EQ(h.pidns, self_ns("pid"));
}

}  // namespace
}  // namespace sockwarden
