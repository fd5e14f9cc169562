// Every event kind the agent emits, rendered by to_ecs_json, validates against
// schema/sockwarden-event.schema.json (through tests/schema/validate_events.py,
// the same validator the integration and e2e suites use), and the schema
// rejects what it must.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "enrich/event_builder.h"
#include "event_fixtures.h"
#include "events.h"
#include "format/ecs_json.h"
#include "agent/continuous_audit.h"

namespace sockwarden {
namespace {

using nlohmann::json;

Event caller_event(const std::string& action, EventKind kind) {
  Event e = testing::docker_caller_event(action, kind);
  if (kind != EventKind::Send) {
    e.raw.payload.clear();
    e.raw.bytes = 0;
  }
  e.process = testing::docker_ps_process();
  e.cgroup_path = "/docker/abc";
  e.flags = {"container-originated", "unexpected-caller"};
  ContainerInfo c;
  c.ref.id = "abc";
  c.ref.runtime = "docker";
  c.name = "attacker";
  c.image = "busybox:1";
  e.container = c;
  return e;
}

std::vector<Event> every_kind() {
  std::vector<Event> out;
  out.push_back(caller_event("connect", EventKind::Connect));
  Event refused = caller_event("connect", EventKind::ConnectAttempt);
  refused.outcome = "failure";
  refused.error = "refused";
  out.push_back(refused);
  out.push_back(caller_event("send", EventKind::Send));
  out.push_back(caller_event("reply", EventKind::Reply));
  out.push_back(caller_event("existing-connection", EventKind::Connect));
  Event req = caller_event("request", EventKind::Send);
  DecodedRequest d;
  d.protocol = "http/1.1";
  d.method = "POST";
  d.target = "/v1.41/containers/create";
  d.path = "/containers/create";
  d.api_version = "1.41";
  d.operation = "container-create";
  d.add_risk("privileged");
  d.add_risk("host-mount", "/");
  d.status_code = 201;
  req.request = d;
  req.severity = "critical";
  req.severity_score = 99;
  out.push_back(req);
  // Request effects (docs/request-effects.md): a verified create, a verified exec, an unknown one.
  Event eff_create = req;
  RequestEffect ce;
  ce.status = "verified";
  ce.source = "docker-state";
  ce.container = true;
  ce.container_id = std::string(64, 'b');
  ce.privileged = true;
  ce.host_mounts = {"/"};
  ce.namespaces = {{"network", "none"}};
  ce.risk = {{"privileged", ""}, {"host-mount", "/"}};
  ce.mismatch = {"privileged", "host-mount:/"};
  eff_create.request->effect = ce;
  eff_create.request->add_risk("effect-mismatch", "privileged");
  out.push_back(eff_create);
  Event eff_exec = req;
  eff_exec.request->operation = "exec-start";
  RequestEffect xe;
  xe.status = "verified";
  xe.source = "exec-record";
  xe.exec = true;
  xe.container_id = std::string(64, 'c');
  xe.exec_id = std::string(64, 'd');
  xe.command = {"/bin/sh", "-c", "id"};
  xe.pid = 4242;
  xe.uid = xe.euid = 0;
  xe.cap_effective = "00000000a80425fb";
  xe.risk = {{"exec", ""}};
  xe.mismatch = {"unread-command"};
  eff_exec.request->effect = xe;
  out.push_back(eff_exec);
  Event eff_unknown = req;
  RequestEffect ue;
  ue.status = "unknown";
  ue.reason = "not-found";
  eff_unknown.request->effect = ue;
  out.push_back(eff_unknown);
  out.push_back(EventBuilder::enforcement_gap(77, 1'795'380'000'000'000'000ULL, 1'795'380'397'000'000'000ULL));
  Event lost;
  lost.action = "lost";
  lost.outcome = "unknown";
  lost.realtime_ns = 1'795'380'397'000'000'000ULL;
  lost.lost = 3;
  lost.lost_cause = "ringbuf-full";
  out.push_back(lost);
  for (const char* a : {"agent-start", "agent-stop"}) {
    Event l;
    l.action = a;
    l.outcome = "success";
    l.realtime_ns = 1'795'380'397'000'000'000ULL;
    AgentLifecycle info;
    info.version = "0.1.0";
    info.tier = "socket-tp";
    info.enforcement = "monitor";
    info.sockets = {"/run/docker.sock"};
    info.pid = 100;
    info.reason = "SIGTERM";
    info.events = 10;
    l.agent = info;
    out.push_back(l);
  }
  // run's continuous audit: a container finding appearing, a host one resolved.
  audit::Finding f;
  f.severity = audit::Severity::Critical;
  f.check = "socket-mounted";
  f.subject = "container web";
  f.title = "container web has /var/run/docker.sock mounted";
  f.evidence = {"bind /var/run/docker.sock -> /var/run/docker.sock"};
  f.remediation = audit::remedy::kSocketMount;
  f.container_id = std::string(64, 'a');
  f.container_name = "web";
  f.container_image = "busybox:1";
  f.container_runtime = "docker";
  f.socket_path = "/var/run/docker.sock";
  out.push_back(audit_finding_event(f, false, "container-create", 1'795'380'397'000'000'000ULL));
  // The same finding naming the request that created its container.
  Event caused = audit_finding_event(f, false, "container-create", 1'795'380'397'000'000'000ULL);
  AuditCause cause;
  cause.operation = "container-create";
  cause.request_realtime_ns = 1'795'380'396'000'000'000ULL;
  cause.pid = 31002;
  cause.process_name = "docker";
  cause.executable = "/usr/local/bin/docker";
  cause.command_line = "docker run --privileged -v /:/host busybox";
  cause.container_id = std::string(64, 'e');
  cause.container_name = "attacker";
  cause.connection = 10993541;
  caused.finding->caused_by = cause;
  out.push_back(caused);
  audit::Finding t;
  t.severity = audit::Severity::Medium;
  t.check = "tcp-tlsverify";
  t.subject = "dockerd (pid 1) 0.0.0.0:2376";
  t.title = "dockerd API on TCP";
  t.remediation = audit::remedy::kTcpTls;
  out.push_back(audit_finding_event(t, true, "interval", 1'795'380'397'000'000'000ULL));
  return out;
}

// Runs the validator over lines; returns its exit status and output.
int validate(const std::vector<std::string>& lines, const std::string& extra, std::string& out) {
  char tmpl[] = "/tmp/sw-schema-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return -1;
  close(fd);
  {
    std::ofstream f(tmpl);
    for (const auto& l : lines) f << l << "\n";
  }
  std::string cmd = "python3 " SW_SOURCE_DIR "/tests/schema/validate_events.py " + extra + " " + tmpl + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  int st = pclose(p);
  unlink(tmpl);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(EventSchema, EveryEventKindValidates) {
  std::vector<std::string> lines;
  for (const auto& e : every_kind()) lines.push_back(to_json_line(e));
  // The other agent events (heartbeat, event.kind metric) are allowed generically.
  lines.push_back(R"({"@timestamp":"2026-11-23T01:00:00Z","ecs":{"version":"8.11.0"},)"
                  R"("event":{"kind":"metric","action":"heartbeat","module":"sockwarden","dataset":"sockwarden.agent"}})");
  std::string out;
  EXPECT_EQ(validate(lines, "--require-actions connect,send,reply,request,existing-connection,lost,"
                            "enforcement-gap,agent-start,agent-stop,heartbeat,audit-finding,audit-finding-resolved",
                     out),
            0)
      << out;
}

TEST(EventSchema, RejectsEventsMissingRequiredFields) {
  auto base = [](const std::string& action) {
    for (const auto& e : every_kind())
      if (e.action == action) return to_ecs_json(e);
    return json();
  };
  std::vector<json> bad;
  json j = base("send");
  j["ecs"].erase("version");
  bad.push_back(j);
  j = base("existing-connection");
  j["sockwarden"].erase("connection");
  bad.push_back(j);
  j = base("request");
  j["sockwarden"]["request"].erase("operation");
  bad.push_back(j);
  // An effect without its status, a verified one without its source, an unknown one without a reason.
  for (const char* field : {"status", "source", "reason"}) {
    for (const auto& e : every_kind()) {
      if (e.action != "request" || !e.request->effect) continue;
      json k = to_ecs_json(e);
      auto& effect = k["sockwarden"]["request"]["effect"];
      if (!effect.contains(field)) continue;
      effect.erase(field);
      bad.push_back(k);
      break;
    }
  }
  j = base("agent-stop");
  j["sockwarden"]["agent"].erase("totals");
  bad.push_back(j);
  j = base("lost");
  j["sockwarden"]["lost"].erase("cause");
  bad.push_back(j);
  j = base("connect");
  j["user"]["id"] = 0;  // ECS wants a string
  bad.push_back(j);
  j = base("audit-finding");
  j["sockwarden"]["audit"]["finding"].erase("key");
  bad.push_back(j);
  j = base("audit-finding");
  j["event"]["type"] = json::array({"deletion"});  // a new finding is a creation
  bad.push_back(j);
  j = base("audit-finding-resolved");
  j["event"]["kind"] = "event";
  bad.push_back(j);
  for (const auto& b : bad) {
    std::string out;
    EXPECT_EQ(validate({b.dump()}, "", out), 1) << b.dump() << "\n" << out;
  }
}

}  // namespace
}  // namespace sockwarden
