#include "format/ecs_json.h"

#include "format/container_fields.h"
#include "format/fast_json.h"

#include "events.h"
#include "enrich/boot_clock.h"
#include "model/flag_names.h"
#include "format/flood_json.h"
#include "format/payload_escape.h"
#include "format/request_fields.h"
#include "format/safe_text.h"

namespace sockwarden {
namespace {

using nlohmann::json;

json event_type(const Event& e) {
  const std::string& action = e.action;
  // ECS: a connect the enforcement policy refused is a "denied" connection.
  if (action == "connect" && (e.raw.flags & SW_F_DENIED)) return json::array({"connection", "denied"});
  if (action == "connect" || action == "existing-connection") return json::array({"connection"});
  if (action == "send" || action == "reply" || action == "request") return json::array({"access"});
  return json::array({"info"});
}

json event_object(const Event& e, const std::string& outcome) {
  return json{
      {"kind", "event"},
      {"category", json::array({"network", "process"})},
      {"type", event_type(e)},
      {"action", e.action},
      {"outcome", outcome},
      {"module", "sockwarden"},
      {"dataset", "sockwarden.socket"},
  };
}

// The kernel's s_dev encoding (MKDEV in include/linux/kdev_t.h), not
// userspace's dev_t: major in the top 12 bits, minor in the low 20.
std::string device_string(uint32_t sock_dev) {
  return std::to_string(sock_dev >> 20) + ":" + std::to_string(sock_dev & 0xfffff);
}

json lost_event(const Event& e) {
  return json{
      {"@timestamp", rfc3339_utc(e.realtime_ns)},
      {"ecs", {{"version", kEcsVersion}}},
      {"event", event_object(e, "unknown")},
      {"sockwarden", {{"lost", {{"count", e.lost}, {"cause", e.lost_cause}}}}},
  };
}

// Loud on purpose: an alert, not an info line a SIEM rule would skip.
json enforcement_gap_event(const Event& e) {
  json ev = event_object(e, "unknown");
  ev["kind"] = "alert";
  ev["type"] = json::array({"info"});
  ev["start"] = rfc3339_utc(e.gap_start_realtime_ns);
  ev["end"] = rfc3339_utc(e.realtime_ns);
  return json{
      {"@timestamp", rfc3339_utc(e.realtime_ns)},
      {"ecs", {{"version", kEcsVersion}}},
      {"event", ev},
      {"message", e.message},
      {"sockwarden", {{e.action == "agent-gap" ? "agent_gap" : "enforcement_gap",
                       {{"previous_agent_pid", e.previous_agent_pid}}}}},
  };
}

// agent-start / agent-stop: ECS "agent" plus what this agent watches (start)
// or what it saw (stop). event.type start/end as ECS wants for a service.
json lifecycle_event(const Event& e) {
  const AgentLifecycle a = e.agent.value_or(AgentLifecycle{});
  json ev = event_object(e, "success");
  ev["category"] = json::array({"process"});
  ev["type"] = json::array({e.action == "agent-start" ? "start" : "end"});
  ev["dataset"] = "sockwarden.agent";
  json agent{{"tier", a.tier}, {"enforcement", a.enforcement}, {"pid", a.pid}};
  if (e.action == "agent-start") {
    agent["watched_sockets"] = a.sockets;
    agent["existing_connections"] = a.existing_connections;
  } else {
    agent["reason"] = a.reason;
    agent["uptime_sec"] = a.uptime_sec;
    agent["totals"] = {{"events", a.events}, {"lost", a.lost}, {"requests", a.requests},
                       {"kernel_records", a.kernel_records}};
  }
  json j{
      {"@timestamp", rfc3339_utc(e.realtime_ns)},
      {"ecs", {{"version", kEcsVersion}}},
      {"event", ev},
      {"agent", {{"type", "sockwarden"}, {"name", "sockwarden"}, {"version", a.version}}},
      {"process", {{"pid", a.pid}, {"name", "sockwarden"}}},
      {"sockwarden", {{"agent", std::move(agent)}}},
  };
  if (!e.message.empty()) j["message"] = e.message;
  return j;
}

// audit-finding / audit-finding-resolved: a state the host is in (ECS
// event.kind "state"), created or deleted; the severity is event.severity
// like a request's, the rule the audit check id.
json audit_finding_event(const Event& e) {
  const AuditFindingInfo f = e.finding.value_or(AuditFindingInfo{});
  const bool resolved = e.action == "audit-finding-resolved";
  json ev = event_object(e, "success");
  ev["kind"] = "state";
  ev["category"] = json::array({"configuration"});
  ev["type"] = json::array({resolved ? "deletion" : "creation"});
  ev["dataset"] = "sockwarden.audit";
  ev["severity"] = e.severity_score;
  ev["reason"] = f.title;
  json finding{{"rule", f.rule},
               {"key", f.key},
               {"severity", f.severity},
               {"subject", f.subject},
               {"title", f.title},
               {"evidence", f.evidence},
               {"remediation", f.remediation},
               {"trigger", f.trigger}};
  if (!f.socket_path.empty()) finding["socket_path"] = f.socket_path;
  if (f.caused_by) {
    const AuditCause& c = *f.caused_by;
    json cause{{"operation", c.operation},
               {"request_time", rfc3339_utc(c.request_realtime_ns)},
               {"connection", c.connection},
               {"process", {{"pid", c.pid}, {"name", c.process_name}, {"executable", c.executable},
                            {"command_line", c.command_line}}}};
    if (!c.container_id.empty()) cause["container"] = {{"id", c.container_id}, {"name", c.container_name}};
    finding["caused_by"] = std::move(cause);
  }
  json j{
      {"@timestamp", rfc3339_utc(e.realtime_ns)},
      {"ecs", {{"version", kEcsVersion}}},
      {"event", ev},
      {"rule", {{"id", f.rule}, {"name", f.rule}, {"ruleset", "sockwarden-audit"}}},
      {"message", (resolved ? "resolved: " : "") + f.title},
      {"sockwarden", {{"audit", {{"finding", std::move(finding)}}}}},
  };
  if (e.container) add_container_fields(j, *e.container);
  return j;
}

}  // namespace

nlohmann::json to_ecs_json(const Event& e) {
  if (e.action == "lost") return lost_event(e);
  if (e.action == "enforcement-gap" || e.action == "agent-gap") return enforcement_gap_event(e);
  if (e.action == "flood-suppressed") return flood_suppressed_json(e);
  if (e.action == "agent-start" || e.action == "agent-stop") return lifecycle_event(e);
  if (e.action == "audit-finding" || e.action == "audit-finding-resolved") return audit_finding_event(e);
  const RawEvent& r = e.raw;

  json process{
      {"pid", r.tgid},
      {"thread", {{"id", r.pid}}},
      {"name", e.process.name.empty() ? r.comm : e.process.name},
      {"parent", {{"pid", r.ppid}}},
  };
  if (!e.process.executable.empty()) process["executable"] = e.process.executable;
  if (!e.process.command_line.empty()) process["command_line"] = e.process.command_line;
  if (!e.process.args.empty()) process["args"] = e.process.args;
  if (e.process.start_realtime_ns) process["start"] = rfc3339_utc(e.process.start_realtime_ns);
  if (!e.process.ancestors.empty()) {
    const auto& parent = e.process.ancestors.front();
    if (!parent.executable.empty()) process["parent"]["executable"] = parent.executable;
    if (!parent.name.empty()) process["parent"]["name"] = parent.name;
  }
  json ancestors = json::array();
  for (const auto& a : e.process.ancestors) {
    json j{{"pid", a.pid}, {"name", a.name}};
    if (!a.executable.empty()) j["executable"] = a.executable;
    ancestors.push_back(std::move(j));
  }
  json sw_process{{"ancestors", std::move(ancestors)}};
  // Audit ids tie a call to the human who logged in (unset: not a login session).
  if (e.process.loginuid != UINT32_MAX) sw_process["audit_login_uid"] = e.process.loginuid;
  if (e.process.sessionid != UINT32_MAX) sw_process["audit_session_id"] = e.process.sessionid;

  json sw{
      {"socket",
       {{"path", e.socket_path},
        {"inode", r.sock_ino},
        {"device", device_string(r.sock_dev)},
        {"abstract", (r.flags & SW_F_ABSTRACT) != 0}}},
      {"cgroup", {{"id", r.cgroup_id}, {"path", e.cgroup_path}}},
      {"namespaces", {{"pid", r.pidns}, {"mnt", r.mntns}, {"net", r.netns}}},
      {"tier", e.tier},
      {"fd", r.fd < 0 ? json(nullptr) : json(r.fd)},
      {"connection", r.client_sock_ino},
      {"bytes", r.bytes},
      {"payload_captured", r.payload.size()},
      {"flags", event_flag_names(e)},
      {"process", std::move(sw_process)},
  };
  // A successful connect carries no bytes; an empty "payload" there would only
  // suggest that something was captured.
  if (!((e.action == "connect" || e.action == "existing-connection") && r.payload.empty())) sw["payload"] = escape_payload(r.payload);
  if (r.flags & SW_F_RESULT_KNOWN) sw["result"] = r.result;
  if (e.error) sw["error"] = *e.error;
  if (!e.expected_by.empty()) sw["expected_by"] = e.expected_by;
  if (e.relay) {
    sw["relay"] = {{"listen", e.relay->listen}};
    if (!e.relay->tool.empty()) sw["relay"]["tool"] = e.relay->tool;
  }

  json j{
      {"@timestamp", rfc3339_utc(e.realtime_ns)},
      {"ecs", {{"version", kEcsVersion}}},
      {"event", event_object(e, e.outcome.empty() ? "unknown" : e.outcome)},
      {"process", std::move(process)},
      {"user", {{"id", std::to_string(r.uid)}, {"effective", {{"id", std::to_string(r.euid)}}}}},
      {"group", {{"id", std::to_string(r.gid)}}},
      {"sockwarden", std::move(sw)},
  };
  if (e.container) add_container_fields(j, *e.container);
  if (e.request) add_request_fields(j, e);
  return j;
}

std::string to_json_line(const Event& e) {
  std::string out;
  if (write_socket_event_json(e, out)) return out;  // the common case, without the tree
  return safe_dump(to_ecs_json(e));
}

}  // namespace sockwarden
