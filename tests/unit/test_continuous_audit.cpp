// run's continuous audit: the finding keys and diff, which requests trigger a
// re-evaluation, the events, and the worker against a real temp Docker data
// root (interval and request triggers, failures counted).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "audit/container_posture.h"
#include "audit/finding_diff.h"
#include "audit_tree.h"
#include "agent/continuous_audit.h"
#include "format/ecs_json.h"

namespace sockwarden {
namespace {

using audit::Finding;
using audit::FindingTracker;
using audit::Severity;

const std::string kId = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

Finding container_finding(const std::string& check, const std::string& id, const std::string& name,
                          const std::string& socket = "/var/run/docker.sock") {
  Finding f;
  f.severity = Severity::Critical;
  f.check = check;
  f.container_id = id;
  f.container_name = name;
  f.subject = "container " + name;
  f.socket_path = socket;
  f.title = "container " + name + " has " + socket + " mounted";
  f.evidence = {"pid 42 in it"};
  f.remediation = "remove it";
  return f;
}

Finding host_finding(const std::string& check, const std::string& subject, Severity s = Severity::High) {
  Finding f;
  f.severity = s;
  f.check = check;
  f.subject = subject;
  f.title = subject;
  return f;
}

TEST(ContinuousAuditKey, IgnoresPidsNamesAndEvidence) {
  Finding a = container_finding("socket-mounted", kId, "web");
  Finding b = container_finding("socket-mounted", kId, "web-renamed");
  b.evidence = {"pid 99 in it", "3 processes"};
  b.title = "something else";
  EXPECT_EQ(audit::finding_key(a), audit::finding_key(b));
  // Another socket, another rule, another container: other keys.
  EXPECT_NE(audit::finding_key(a), audit::finding_key(container_finding("socket-mounted", kId, "web", "/run/x.sock")));
  EXPECT_NE(audit::finding_key(a), audit::finding_key(container_finding("privileged", kId, "web")));
  EXPECT_NE(audit::finding_key(a), audit::finding_key(container_finding("socket-mounted", "b" + kId.substr(1), "web")));
  // A daemon restarted (new pid) on the same port is the same exposure.
  EXPECT_EQ(audit::finding_key(host_finding("tcp-no-tls", "dockerd (pid 812) 0.0.0.0:2375")),
            audit::finding_key(host_finding("tcp-no-tls", "dockerd (pid 9001) 0.0.0.0:2375")));
  EXPECT_NE(audit::finding_key(host_finding("tcp-no-tls", "dockerd (pid 812) 0.0.0.0:2375")),
            audit::finding_key(host_finding("tcp-no-tls", "dockerd (pid 812) 0.0.0.0:2376")));
}

TEST(ContinuousAuditDiff, NewUnchangedResolved) {
  FindingTracker t;
  Finding mounted = container_finding("socket-mounted", kId, "web");
  Finding tcp = host_finding("tcp-no-tls", "dockerd (pid 1) 0.0.0.0:2375", Severity::Critical);
  auto d = t.update({mounted, tcp});
  EXPECT_EQ(d.added.size(), 2u);
  EXPECT_TRUE(d.resolved.empty());
  EXPECT_EQ(d.unchanged, 0u);

  // Same exposures, new pids and evidence: nothing to report.
  Finding mounted2 = mounted;
  mounted2.evidence = {"pid 77 in it"};
  d = t.update({host_finding("tcp-no-tls", "dockerd (pid 2) 0.0.0.0:2375", Severity::Critical), mounted2});
  EXPECT_TRUE(d.added.empty());
  EXPECT_TRUE(d.resolved.empty());
  EXPECT_EQ(d.unchanged, 2u);

  // The container is gone: its finding is resolved, as last seen.
  d = t.update({tcp});
  ASSERT_EQ(d.resolved.size(), 1u);
  EXPECT_EQ(d.resolved[0].container_id, kId);
  EXPECT_EQ(d.resolved[0].evidence, mounted2.evidence);
  EXPECT_TRUE(d.added.empty());
  EXPECT_EQ(t.current().size(), 1u);

  d = t.update({});
  EXPECT_EQ(d.resolved.size(), 1u);
  EXPECT_TRUE(t.current().empty());
}

TEST(ContinuousAuditDiff, HostClientConnectionsAreNotTrackedContainerOnesAre) {
  FindingTracker t;
  Finding host_client = host_finding("live-connection", "pid 4242", Severity::Info);
  Finding container_client = container_finding("live-connection", kId, "web");
  auto d = t.update({host_client, container_client});
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].container_id, kId);
  // The configured and the live view of one mount: one finding.
  d = t.update({container_client, container_finding("socket-mounted", kId, "web"),
                container_finding("socket-mounted", kId, "web")});
  EXPECT_EQ(d.added.size(), 1u);
  EXPECT_EQ(t.current().size(), 2u);
}

DecodedRequest request(const std::string& method, const std::string& path, const std::string& op) {
  DecodedRequest r;
  r.method = method;
  r.path = path;
  r.operation = op;
  return r;
}

TEST(ContinuousAuditTrigger, RiskyCreatesStartsAndRemoves) {
  DecodedRequest create = request("POST", "/containers/create", "container-create");
  EXPECT_EQ(audit_trigger_of(create), "");  // nothing the posture audit reports
  create.add_risk("image-pull", "busybox");
  EXPECT_EQ(audit_trigger_of(create), "");
  create.add_risk("runtime-socket-mount", "/var/run/docker.sock");
  EXPECT_EQ(audit_trigger_of(create), "container-create");
  DecodedRequest privileged = request("POST", "/libpod/containers/create", "container-create");
  privileged.add_risk("privileged");
  EXPECT_EQ(audit_trigger_of(privileged), "container-create");
  DecodedRequest cri = request("POST", "/runtime.v1.RuntimeService/CreateContainer", "cri-create-container");
  cri.add_risk("host-mount", "/run");
  EXPECT_EQ(audit_trigger_of(cri), "container-create");

  EXPECT_EQ(audit_trigger_of(request("POST", "/containers/abc/start", "container-start")), "container-start");
  EXPECT_EQ(audit_trigger_of(request("DELETE", "/containers/abc", "other")), "container-remove");
  EXPECT_EQ(audit_trigger_of(request("DELETE", "/libpod/containers/abc", "other")), "container-remove");
  EXPECT_EQ(audit_trigger_of(request("DELETE", "/images/abc", "other")), "");
  EXPECT_EQ(audit_trigger_of(request("GET", "/containers/abc/json", "container-inspect")), "");
  DecodedRequest remove = request("POST", "/runtime.v1.RuntimeService/RemoveContainer", "grpc");
  remove.grpc_service = "runtime.v1.RuntimeService";
  remove.grpc_method = "RemoveContainer";
  EXPECT_EQ(audit_trigger_of(remove), "container-remove");
}

TEST(ContinuousAuditEvent, EcsStateEventWithContainerAndRule) {
  Finding f = container_finding("socket-mounted", kId, "web");
  f.container_image = "busybox:1";
  f.container_runtime = "docker";
  auto j = to_ecs_json(audit_finding_event(f, false, "container-create", 1'795'380'397'000'000'000ULL));
  EXPECT_EQ(j["event"]["kind"], "state");
  EXPECT_EQ(j["event"]["action"], "audit-finding");
  EXPECT_EQ(j["event"]["type"], nlohmann::json::array({"creation"}));
  EXPECT_EQ(j["event"]["severity"], 99);
  EXPECT_EQ(j["rule"]["id"], "socket-mounted");
  EXPECT_EQ(j["container"]["id"], kId);
  EXPECT_EQ(j["container"]["name"], "web");
  EXPECT_EQ(j["container"]["image"]["name"], "busybox:1");
  EXPECT_EQ(j["sockwarden"]["audit"]["finding"]["trigger"], "container-create");
  EXPECT_EQ(j["sockwarden"]["audit"]["finding"]["severity"], "critical");
  EXPECT_EQ(j["sockwarden"]["audit"]["finding"]["key"], audit::finding_key(f));

  auto r = to_ecs_json(audit_finding_event(host_finding("tcp-no-tls", "dockerd (pid 1) :2375", Severity::Info), true,
                                           "interval", 1));
  EXPECT_EQ(r["event"]["action"], "audit-finding-resolved");
  EXPECT_EQ(r["event"]["type"], nlohmann::json::array({"deletion"}));
  EXPECT_EQ(r["event"]["severity"], 0);
  EXPECT_FALSE(r.contains("container"));
}

TEST(ContinuousAuditEvent, EvidenceIsRedactedLikePayloads) {
  Finding f = host_finding("live-connection", "container x");
  f.container_id = kId;
  f.evidence = {"GET / HTTP/1.1\r\nAuthorization: Bearer s3cr3t-token\r\n"};
  auto line = to_json_line(audit_finding_event(f, false, "start", 1));
  EXPECT_EQ(line.find("s3cr3t-token"), std::string::npos) << line;
}

// The worker against a real Docker data root in a temp tree: the same
// posture checks `sockwarden audit` runs, on a real bound socket.
class ContinuousAuditWorker : public ::testing::Test {
 protected:
  void SetUp() override { sock_ = tree_.socket("run/docker.sock"); }

  std::vector<Finding> collect() {
    struct stat st {};
    if (::stat(sock_.c_str(), &st) != 0) throw std::runtime_error("socket gone");
    audit::RuntimeSocket s;
    s.path = s.realpath = sock_;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    std::vector<Finding> out;
    for (const auto& c : audit::docker_postures({tree_.path("docker")}))
      for (auto& f : audit::posture_findings(c, {s})) out.push_back(std::move(f));
    return out;
  }

  void add_container() {
    std::string dir = "docker/containers/" + kId + "/";
    tree_.write(dir + "config.v2.json",
                R"({"Name":"/sock-user","Config":{"Image":"busybox:1"},"State":{"Running":false},"MountPoints":{}})");
    tree_.write(dir + "hostconfig.json", R"({"Binds":[")" + sock_ + R"(:/var/run/docker.sock"]})");
  }
  void remove_container() { std::filesystem::remove_all(tree_.path("docker/containers/" + kId)); }

  // Events until `want` of them arrived or the deadline passed.
  std::vector<Event> wait_events(ContinuousAudit& a, size_t want, std::chrono::milliseconds deadline) {
    std::vector<Event> got;
    auto end = std::chrono::steady_clock::now() + deadline;
    while (got.size() < want && std::chrono::steady_clock::now() < end) {
      for (auto& e : a.take_events()) got.push_back(std::move(e));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return got;
  }

  audit::testing::TempTree tree_;
  std::string sock_;
};

TEST_F(ContinuousAuditWorker, IntervalReportsNewThenResolved) {
  tree_.mkdir("docker/containers");
  ContinuousAudit a([this] { return collect(); }, 1);
  a.start();
  EXPECT_TRUE(wait_events(a, 1, std::chrono::milliseconds(300)).empty());  // start: a clean tree
  add_container();
  auto got = wait_events(a, 1, std::chrono::milliseconds(3000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].action, "audit-finding");
  EXPECT_EQ(got[0].finding->rule, "socket-mounted");
  EXPECT_EQ(got[0].finding->trigger, "interval");
  ASSERT_TRUE(got[0].container);
  EXPECT_EQ(got[0].container->name, "sock-user");
  EXPECT_EQ(got[0].container->image, "busybox:1");
  EXPECT_EQ(got[0].container->ref.runtime, "docker");
  // Unchanged at the next interval: nothing.
  EXPECT_TRUE(wait_events(a, 1, std::chrono::milliseconds(1300)).empty());
  remove_container();
  got = wait_events(a, 1, std::chrono::milliseconds(3000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].action, "audit-finding-resolved");
  EXPECT_EQ(got[0].finding->key, audit::finding_key(container_finding("socket-mounted", kId, "x", sock_)));
  auto c = a.counters();
  EXPECT_GE(c.runs, 3u);
  EXPECT_EQ(c.errors, 0u);
  EXPECT_EQ(c.findings, 0u);
  EXPECT_EQ(c.emitted, 2u);
  a.stop();
}

TEST_F(ContinuousAuditWorker, StartReportsTheCurrentSetAndRequestsTriggerWithoutInterval) {
  add_container();
  ContinuousAudit a([this] { return collect(); }, 0, std::chrono::milliseconds(100));
  a.start();
  auto got = wait_events(a, 1, std::chrono::milliseconds(3000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].finding->trigger, "start");
  remove_container();
  // No interval: only a request can explain the next event. A remove is only
  // acted on while a container finding is open (it is).
  Event e;
  e.action = "request";
  e.request = request("DELETE", "/containers/sock-user", "other");
  a.on_request(e);
  got = wait_events(a, 1, std::chrono::milliseconds(3000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].action, "audit-finding-resolved");
  EXPECT_EQ(got[0].finding->trigger, "container-remove");
  // Now no container finding is open: another remove schedules nothing.
  a.on_request(e);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(a.counters().runs, 2u);
  a.set_interval(1);  // SIGHUP: the interval starts applying
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_GE(a.counters().runs, 3u);
}

TEST_F(ContinuousAuditWorker, FailuresAreCountedNotFatal) {
  int calls = 0;
  ContinuousAudit a(
      [&]() -> std::vector<Finding> {
        if (++calls == 1) throw std::runtime_error("proc unreadable");
        return collect();
      },
      0, std::chrono::milliseconds(50));
  add_container();
  a.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(a.counters().errors, 1u);
  EXPECT_TRUE(a.take_events().empty());
  a.schedule("manual");
  auto got = wait_events(a, 1, std::chrono::milliseconds(3000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].finding->trigger, "manual");
  EXPECT_EQ(a.counters().runs, 1u);
}

TEST(ContinuousAuditOptions, AbstractSocketsAreNotAudited) {
  AgentOptions o;
  o.sockets = {"@buildkit", "/run/x.sock"};
  o.no_default_sockets = true;
  o.proc_root = "/proc";
  o.containerd_state = "/srv/containerd";
  o.containers_runroot = "/srv/run-containers";
  o.docker_data_roots = {"/srv/docker"};
  o.host_root = "/host";
  auto a = audit_options_for(o);
  EXPECT_EQ(a.sockets, std::vector<std::string>{"/run/x.sock"});
  EXPECT_EQ(a.host_root, "/host");  // the agent in a container audits the host's files
  o.host_root.clear();
  EXPECT_EQ(a.containerd_state, "/srv/containerd");
  EXPECT_EQ(a.containers_runroot, "/srv/run-containers");
  EXPECT_EQ(a.docker_data_roots, std::vector<std::string>{"/srv/docker"});
  EXPECT_TRUE(a.no_default_sockets);
  o.sockets = {"@buildkit"};
  a = audit_options_for(o);
  EXPECT_TRUE(a.sockets.empty());
  EXPECT_FALSE(a.no_default_sockets);
  EXPECT_NO_THROW(validate_audit_options(a));
  EXPECT_EQ(make_continuous_audit(o), nullptr);  // continuous_audit is off by default (trace)
}

}  // namespace
}  // namespace sockwarden
