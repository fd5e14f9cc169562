#include "format/ecs_json.h"

#include <charconv>
#include <string>
#include <string_view>

#include "enrich/boot_clock.h"
#include "events.h"
#include "format/container_fields.h"
#include "format/flood_json.h"
#include "format/fragment_memo.h"
#include "format/payload_escape.h"
#include "format/request_fields.h"
#include "model/flag_names.h"

namespace sockwarden {
namespace {

// ECS event.* of one event. category and type are JSON arrays as text; the
// optional members are left out when empty (severity: when not set).
struct EventObject {
  std::string_view action;
  std::string_view category = R"(["network","process"])";
  std::string_view dataset = "sockwarden.socket";
  std::string_view kind = "event";
  std::string_view outcome = "unknown";
  std::string_view type = R"(["info"])";
  const std::string* reason = nullptr;  // audit findings: present even when empty
  const int* severity = nullptr;
  uint64_t start_ns = 0, end_ns = 0;  // 0: absent
};

void write_event_member(JsonWriter& w, const EventObject& o) {
  w.key("event");
  w.begin_object();
  w.member("action", o.action);
  w.key("category");
  w.raw(o.category);
  w.key("dataset");
  w.literal(o.dataset);  // (dataset, kind: literals of this file)
  if (o.end_ns) {
    w.key("end");
    write_time(w, o.end_ns);
  }
  w.key("kind");
  w.literal(o.kind);
  w.key("module");
  w.literal("sockwarden");
  w.member("outcome", o.outcome);
  if (o.reason) w.member("reason", *o.reason);
  if (o.severity) w.member("severity", *o.severity);
  if (o.start_ns) {
    w.key("start");
    write_time(w, o.start_ns);
  }
  w.key("type");
  w.raw(o.type);
  w.end_object();
}

std::string_view event_type(const Event& e) {
  const std::string& action = e.action;
  // ECS: a connect the enforcement policy refused is a "denied" connection.
  if (action == "connect"sv && (e.raw.flags & SW_F_DENIED)) return R"(["connection","denied"])";
  if (action == "connect"sv || action == "existing-connection"sv) return R"(["connection"])";
  if (action == "send"sv || action == "reply"sv || action == "request"sv) return R"(["access"])";
  return R"(["info"])";
}

const ContainerInfo& container_of(const Event& e) {
  static const ContainerInfo kNone;
  return e.container ? *e.container : kNone;
}

// --- caller events: connect, send, reply, existing-connection, request --------

// An id as a JSON string, as ECS types user.id and group.id.
void write_id_string(JsonWriter& w, uint32_t id) { w.number_string(id); }

// The process's shared data as JSON, rendered by its first event written and kept beside the
// data (ProcessInfo::json) for the rest.
std::shared_ptr<const ProcessJson> process_json(const ProcessInfo& p) {
  if (auto cached = p.json.get()) return cached;
  auto j = std::make_shared<ProcessJson>();
  j->head = JsonWriter::members_text([&](JsonWriter& w) {
    if (!p.args.empty()) {
      w.key("args");
      w.string_array(p.args);
    }
    w.member_if("command_line", p.command_line);
    w.member_if("executable", p.executable);
  });
  j->sockwarden_fields = JsonWriter::members_text([&](JsonWriter& w) {
    w.key("ancestors");
    w.begin_array();
    for (const auto& a : p.ancestors) {
      w.begin_object();
      w.member_if("executable", a.executable);
      w.member("name", a.name);
      w.member("pid", a.pid);
      w.end_object();
    }
    w.end_array();
    // Audit ids tie a call to the human who logged in (unset: not a login session).
    if (p.loginuid != UINT32_MAX) w.member("audit_login_uid", p.loginuid);
    if (p.sessionid != UINT32_MAX) w.member("audit_session_id", p.sessionid);
  });
  if (p.start_realtime_ns) {
    j->start.assign(1, '"');
    append_rfc3339_utc(j->start, p.start_realtime_ns);
    j->start += '"';
  }
  p.json.set(j);
  return j;
}

void write_process_fields(JsonWriter& w, const Event& e, const ProcessJson& pj) {
  const RawEvent& r = e.raw;
  const ProcessInfo& p = *e.process;
  w.key("process");
  w.begin_object();
  w.raw_members(pj.head);
  w.member("name", process_name(e));
  w.key("parent");
  w.begin_object();
  if (!p.ancestors.empty()) {
    w.member_if("executable", p.ancestors.front().executable);
    w.member_if("name", p.ancestors.front().name);
  }
  w.member("pid", r.ppid);
  w.end_object();
  w.member("pid", r.tgid);
  if (!pj.start.empty()) {
    w.key("start");
    w.raw(pj.start);
  }
  w.key("thread");
  w.begin_object();
  w.member("id", r.pid);
  w.end_object();
  w.end_object();
}

// The process member: the shared ProcessInfo (by its serial, which changed data never keeps),
// the comm and the record's ids.
void write_process(JsonWriter& w, const Event& e, const ProcessJson& pj) {
  const RawEvent& r = e.raw;
  const uint64_t serial = e.process->serial;
  if (serial == 0) {  // not a shared ProcessInfo (no serial to key on): written as is
    write_process_fields(w, e, pj);
    return;
  }
  thread_local FragmentMemo<uint64_t, std::string_view, uint32_t, uint32_t, uint32_t> process;
  w.raw_members(process.members({serial, process_name(e), r.ppid, r.tgid, r.pid},
                                [&](JsonWriter& m) { write_process_fields(m, e, pj); }));
}

// The kernel's flag names, then any a later stage added that are not among them.
void write_flags(JsonWriter& w, const Event& e) {
  w.begin_array();
  for_each_event_flag_name(e, [&](std::string_view name) { w.string(name); });
  w.end_array();
}

void write_sockwarden(JsonWriter& w, const Event& e, const ProcessJson& pj) {
  const RawEvent& r = e.raw;
  const bool request = e.request.has_value();
  w.key("sockwarden");
  w.begin_object();
  w.member("bytes", request ? e.request->body_bytes : r.bytes);
  write_cgroup_member(w, e);
  w.member("connection", r.client_sock_ino);
  write_container_parents_member(w, container_of(e));
  if (e.error) w.member("error", *e.error);
  w.member_if("expected_by", e.expected_by);
  w.key("fd");
  if (r.fd < 0) w.null();
  else w.number(r.fd);
  w.key("flags");
  write_flags(w, e);
  thread_local FragmentMemo<uint32_t, uint32_t, uint32_t> namespaces;
  w.raw_members(namespaces.members({r.mntns, r.netns, r.pidns}, [&](JsonWriter& m) {
    m.key("namespaces");
    m.begin_object();
    m.member("mnt", r.mntns);
    m.member("net", r.netns);
    m.member("pid", r.pidns);
    m.end_object();
  }));
  if (!request) {
    // A successful connect carries no bytes; an empty "payload" there would
    // only suggest that something was captured. A request event carries its
    // decoded form instead of the bytes of one write.
    if (!((e.action == "connect"sv || e.action == "existing-connection"sv) && r.payload.empty())) {
      w.key("payload");
      w.raw_in_place(payload_json_max(r.payload.size()),
                     [&](char* at) { return write_payload_json(at, r.payload); });
    }
    w.member("payload_captured", r.payload.size());
  }
  w.key("process");
  w.begin_object();
  w.raw_members(pj.sockwarden_fields);
  w.end_object();
  if (e.relay) {
    w.key("relay");
    w.begin_object();
    w.key("listen");
    w.string_array(e.relay->listen);
    w.member_if("tool", e.relay->tool);
    w.end_object();
  }
  write_request_member(w, e);
  if (!request && (r.flags & SW_F_RESULT_KNOWN)) w.member("result", r.result);
  // sockwarden.socket and sockwarden.tier: the same for every event on one watched socket.
  thread_local FragmentMemo<bool, uint32_t, uint64_t, std::string_view, std::string_view> socket;
  const bool abstract = (r.flags & SW_F_ABSTRACT) != 0;
  w.raw_members(socket.members({abstract, r.sock_dev, r.sock_ino, e.socket_path, e.tier}, [&](JsonWriter& m) {
    m.key("socket");
    m.begin_object();
    m.member_bool("abstract", abstract);
    // The kernel's s_dev encoding (MKDEV in include/linux/kdev_t.h), not
    // userspace's dev_t: major in the top 12 bits, minor in the low 20.
    m.key("device");
    char dev[32];
    char* p = dev;
    *p++ = '"';
    p = std::to_chars(p, dev + sizeof dev, r.sock_dev >> 20).ptr;
    *p++ = ':';
    p = std::to_chars(p, dev + sizeof dev, r.sock_dev & 0xfffff).ptr;
    *p++ = '"';
    m.raw(std::string_view(dev, static_cast<size_t>(p - dev)));
    m.member("inode", r.sock_ino);
    m.member("path", e.socket_path);
    m.end_object();
    m.member("tier", e.tier);
  }));
  w.end_object();
}

void write_caller_event(JsonWriter& w, const Event& e) {
  const RawEvent& r = e.raw;
  const ContainerInfo& c = container_of(e);
  // Both arms string_views: a conditional of "unknown" and a std::string would be a temporary
  // std::string, gone before the view is read (found by fuzz.pipeline under ASan).
  const std::string_view outcome = e.outcome.empty() ? std::string_view("unknown") : std::string_view(e.outcome);
  EventObject ev{.action = e.action, .outcome = outcome, .type = event_type(e)};
  if (e.request) {
    ev.dataset = "sockwarden.request";
    ev.severity = &e.severity_score;
  }
  w.begin_object();
  write_timestamp_member(w, e.realtime_ns);
  write_container_member(w, c);
  // ecs, event and group: the same for every event of one kind from one caller.
  using sv = std::string_view;
  thread_local FragmentMemo<sv, sv, sv, sv, bool, int, uint32_t> head;
  const bool severity = ev.severity != nullptr;
  const auto inputs = decltype(head)::View{ev.action, ev.outcome, ev.type, ev.dataset, severity,
                                           severity ? *ev.severity : 0, r.gid};
  w.raw_members(head.members(inputs, [&](JsonWriter& m) {
    write_ecs_member(m);
    write_event_member(m, ev);
    m.key("group");
    m.begin_object();
    m.key("id");
    write_id_string(m, r.gid);
    m.end_object();
  }));
  write_http_member(w, e);
  write_orchestrator_member(w, c);
  const auto pj = process_json(*e.process);
  write_process(w, e, *pj);
  write_sockwarden(w, e, *pj);
  write_url_member(w, e);
  write_user_member(w, r);
  write_user_agent_member(w, e);
  w.end_object();
}

// --- agent events ----------------------------------------------------------------

void write_lost(JsonWriter& w, const Event& e) {
  w.begin_object();
  write_timestamp_member(w, e.realtime_ns);
  write_ecs_member(w);
  write_event_member(w, {.action = e.action});
  w.key("sockwarden");
  w.begin_object();
  w.key("lost");
  w.begin_object();
  w.member("cause", e.lost_cause);
  w.member("count", e.lost);
  w.end_object();
  w.end_object();
  w.end_object();
}

// Loud on purpose: an alert, not an info line a SIEM rule would skip.
void write_gap(JsonWriter& w, const Event& e) {
  w.begin_object();
  write_timestamp_member(w, e.realtime_ns);
  write_ecs_member(w);
  write_event_member(w, {.action = e.action, .kind = "alert", .start_ns = e.gap_start_realtime_ns,
                         .end_ns = e.realtime_ns});
  w.member("message", e.message);
  w.key("sockwarden");
  w.begin_object();
  w.key(e.action == "agent-gap"sv ? "agent_gap" : "enforcement_gap");
  w.begin_object();
  w.member("previous_agent_pid", e.previous_agent_pid);
  w.end_object();
  w.end_object();
  w.end_object();
}

// agent-start / agent-stop: ECS "agent" plus what this agent watches (start)
// or what it saw (stop). event.type start/end as ECS wants for a service.
void write_lifecycle(JsonWriter& w, const Event& e) {
  const AgentLifecycle a = e.agent.value_or(AgentLifecycle{});
  const bool start = e.action == "agent-start"sv;
  w.begin_object();
  write_timestamp_member(w, e.realtime_ns);
  w.key("agent");
  w.begin_object();
  w.member("name", "sockwarden");
  w.member("type", "sockwarden");
  w.member("version", a.version);
  w.end_object();
  write_ecs_member(w);
  write_event_member(w, {.action = e.action,
                         .category = R"(["process"])",
                         .dataset = "sockwarden.agent",
                         .outcome = "success",
                         .type = start ? R"(["start"])" : R"(["end"])"});
  w.member_if("message", e.message);
  w.key("process");
  w.begin_object();
  w.member("name", "sockwarden");
  w.member("pid", a.pid);
  w.end_object();
  w.key("sockwarden");
  w.begin_object();
  w.key("agent");
  w.begin_object();
  w.member("enforcement", a.enforcement);
  if (start) w.member("existing_connections", a.existing_connections);
  w.member("pid", a.pid);
  if (!start) w.member("reason", a.reason);
  w.member("tier", a.tier);
  if (!start) {
    w.key("totals");
    w.begin_object();
    w.member("events", a.events);
    w.member("kernel_records", a.kernel_records);
    w.member("lost", a.lost);
    w.member("requests", a.requests);
    w.end_object();
    w.key("uptime_sec");
    w.number(a.uptime_sec);
  } else {
    w.key("watched_sockets");
    w.string_array(a.sockets);
  }
  w.end_object();
  w.end_object();
  w.end_object();
}

// audit-finding / audit-finding-resolved: a state the host is in (ECS
// event.kind "state"), created or deleted; the severity is event.severity
// like a request's, the rule the audit check id.
void write_audit_finding(JsonWriter& w, const Event& e) {
  const AuditFindingInfo f = e.finding.value_or(AuditFindingInfo{});
  const bool resolved = e.action == "audit-finding-resolved"sv;
  const ContainerInfo& c = container_of(e);
  w.begin_object();
  write_timestamp_member(w, e.realtime_ns);
  write_container_member(w, c);
  write_ecs_member(w);
  write_event_member(w, {.action = e.action,
                         .category = R"(["configuration"])",
                         .dataset = "sockwarden.audit",
                         .kind = "state",
                         .outcome = "success",
                         .type = resolved ? R"(["deletion"])" : R"(["creation"])",
                         .reason = &f.title,
                         .severity = &e.severity_score});
  w.member("message", (resolved ? "resolved: " : "") + f.title);
  write_orchestrator_member(w, c);
  w.key("rule");
  w.begin_object();
  w.member("id", f.rule);
  w.member("name", f.rule);
  w.member("ruleset", "sockwarden-audit");
  w.end_object();
  w.key("sockwarden");
  w.begin_object();
  w.key("audit");
  w.begin_object();
  w.key("finding");
  w.begin_object();
  if (f.caused_by) {
    const AuditCause& cause = *f.caused_by;
    w.key("caused_by");
    w.begin_object();
    w.member("connection", cause.connection);
    if (!cause.container_id.empty()) {
      w.key("container");
      w.begin_object();
      w.member("id", cause.container_id);
      w.member("name", cause.container_name);
      w.end_object();
    }
    w.member("operation", cause.operation);
    w.key("process");
    w.begin_object();
    w.member("command_line", cause.command_line);
    w.member("executable", cause.executable);
    w.member("name", cause.process_name);
    w.member("pid", cause.pid);
    w.end_object();
    w.key("request_time");
    write_time(w, cause.request_realtime_ns);
    w.end_object();
  }
  w.key("evidence");
  w.string_array(f.evidence);
  w.member("key", f.key);
  w.member("remediation", f.remediation);
  w.member("rule", f.rule);
  w.member("severity", f.severity);
  w.member_if("socket_path", f.socket_path);
  w.member("subject", f.subject);
  w.member("title", f.title);
  w.member("trigger", f.trigger);
  w.end_object();
  w.end_object();
  write_container_parents_member(w, c);
  w.end_object();
  w.end_object();
}

}  // namespace

void write_time(JsonWriter& w, uint64_t realtime_ns) {
  // Rendered aside and copied in: the writer's cursor stays where it is (RFC 3339 has nothing to escape).
  char text[kRfc3339Length + 2];
  text[0] = '"';
  write_rfc3339_utc(text + 1, realtime_ns);
  text[kRfc3339Length + 1] = '"';
  w.raw(std::string_view(text, sizeof text));
}

void write_timestamp_member(JsonWriter& w, uint64_t realtime_ns) {
  w.key("@timestamp");
  write_time(w, realtime_ns);
}

void write_cgroup_member(JsonWriter& w, const Event& e) {
  thread_local FragmentMemo<uint64_t, std::string_view> cgroup;
  w.raw_members(cgroup.members({e.raw.cgroup_id, e.cgroup_path}, [&](JsonWriter& m) {
    m.key("cgroup");
    m.begin_object();
    m.member("id", e.raw.cgroup_id);
    m.member("path", e.cgroup_path);
    m.end_object();
  }));
}

void write_ecs_member(JsonWriter& w) {
  w.key("ecs");
  w.begin_object();
  w.key("version");
  w.literal(kEcsVersion);
  w.end_object();
}

static void write_user_fields(JsonWriter& w, const RawEvent& r) {
  w.key("user");
  w.begin_object();
  w.key("effective");
  w.begin_object();
  w.key("id");
  write_id_string(w, r.euid);
  w.end_object();
  w.key("id");
  write_id_string(w, r.uid);
  w.end_object();
}

void write_user_member(JsonWriter& w, const RawEvent& r) {
  thread_local FragmentMemo<uint32_t, uint32_t> user;
  w.raw_members(user.members({r.uid, r.euid}, [&](JsonWriter& m) { write_user_fields(m, r); }));
}

namespace {

void write_json_line(JsonWriter& w, const Event& e) {
  const std::string_view a = e.action;  // (compared with literals: the length first, no strlen)
  if (a == "lost"sv) write_lost(w, e);
  else if (a == "enforcement-gap"sv || a == "agent-gap"sv) write_gap(w, e);
  else if (a == "flood-suppressed"sv) write_flood_suppressed(w, e);
  else if (a == "agent-start"sv || a == "agent-stop"sv) write_lifecycle(w, e);
  else if (a == "audit-finding"sv || a == "audit-finding-resolved"sv) write_audit_finding(w, e);
  else write_caller_event(w, e);
}

}  // namespace

void append_json_line(std::string& out, const Event& e) {
  JsonWriter w(out);
  write_json_line(w, e);
}

std::string_view render_json_line(const Event& e) {
  // Written into a buffer that keeps its capacity (no reallocation while a
  // line grows); the caller copies it at its exact size (a queued line holds
  // no slack). A buffer that one huge line grew past 1 MiB is given back first.
  thread_local std::string scratch;
  if (scratch.size() > (size_t{1} << 20)) std::string().swap(scratch);
  JsonWriter w = JsonWriter::over(scratch);
  write_json_line(w, e);
  return std::string_view(scratch.data(), w.length());
}

std::string to_json_line(const Event& e) { return std::string(render_json_line(e)); }

nlohmann::json to_ecs_json(const Event& e) { return nlohmann::json::parse(to_json_line(e)); }

}  // namespace sockwarden
