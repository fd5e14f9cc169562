// The enriched event every output stage consumes: one per JSON line / table row.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/raw_event.h"
#include "model/boxed.h"
#include "model/decoded_request.h"
#include "model/flag_name.h"
#include "model/container_info.h"

namespace sockwarden {

// `e.action == "send"sv`: a string_view comparison checks the length first, without a call,
// where comparing a std::string with a C string measures and compares the literal every time
// (issue 18's profile: those compares were ~6% of the agent's CPU on a flood).
using namespace std::string_view_literals;

struct AncestorInfo {
  uint32_t pid = 0;
  std::string executable;
  std::string name;
};

// JSON of a process's shared data, rendered once by the first of its events to be written
// (format/ecs_json.cpp) and reused by the rest.
struct ProcessJson {
  std::string head;               // "args":..,"command_line":..,"executable":.. (members, no braces)
  std::string sockwarden_fields;  // "ancestors":[..] and the audit ids (sockwarden.process's members)
  std::string start;              // process.start's value, quoted ("" if unknown)
};

// A ProcessInfo's rendered JSON (issue 18: args, command line and ancestors were a third of an
// event's line, written again for every event of the process). Read and filled through atomics:
// whichever thread writes an event first renders it. A copy starts empty, and so does a
// ProcessInfo handed out by ProcessRef::edit(): changed data is rendered again.
class ProcessJsonCache {
 public:
  ProcessJsonCache() = default;
  ProcessJsonCache(const ProcessJsonCache&) {}
  ProcessJsonCache& operator=(const ProcessJsonCache&) {
    clear();
    return *this;
  }
  std::shared_ptr<const ProcessJson> get() const { return p_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const ProcessJson> j) const { p_.store(std::move(j), std::memory_order_release); }
  void clear() const { p_.store(nullptr, std::memory_order_release); }

 private:
  mutable std::atomic<std::shared_ptr<const ProcessJson>> p_;
};

struct ProcessInfo {
  std::string executable;    // path the kernel exec'd ("" if unknown)
  std::string command_line;  // argv joined by spaces ("" if unknown)
  std::vector<std::string> args;
  // comm, where the event's record does not give it: the event builder leaves it "" and an
  // event's name is its calling thread's comm (process_name below).
  std::string name;
  uint32_t loginuid = UINT32_MAX;   // audit login uid (UINT32_MAX: unset)
  uint32_t sessionid = UINT32_MAX;  // audit session id (UINT32_MAX: unset)
  uint64_t start_realtime_ns = 0;   // 0 if unknown
  std::vector<AncestorInfo> ancestors;  // parent first
  ProcessJsonCache json;                // the above rendered (format/ecs_json.cpp)
  // Which shared ProcessInfo this is: set by ProcessRef when it takes or edits one, never reused
  // (0: none yet). Memos keyed on a process's data (the caller classification) key on it, not on
  // an address that a freed and reallocated ProcessInfo could take over.
  uint64_t serial = 0;
};

// An event's process, shared by every event of the same process image: the event builder keeps
// one per process (enrich/event_builder), so an event carries a pointer, not copies of the
// command line, argv and ancestors (a dozen allocations per event otherwise). Read through
// `->`; `edit()` gives a copy of its own to change (copy on write), for whoever builds one.
class ProcessRef {
 public:
  ProcessRef() = default;
  ProcessRef(ProcessInfo p) : p_(std::make_shared<ProcessInfo>(std::move(p))) {  // NOLINT: implicit by design
    p_->serial = next_serial();
  }
  const ProcessInfo& operator*() const { return p_ ? *p_ : empty(); }
  const ProcessInfo* operator->() const { return &**this; }
  ProcessInfo& edit() {
    if (!p_) p_ = std::make_shared<ProcessInfo>();
    else if (p_.use_count() > 1) p_ = std::make_shared<ProcessInfo>(*p_);
    else p_->json.clear();  // about to change: rendered again when next written
    p_->serial = next_serial();  // and memos keyed on the old data no longer match
    return *p_;
  }

 private:
  static uint64_t next_serial() {
    static std::atomic<uint64_t> n{0};
    return n.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  static const ProcessInfo& empty() {
    static const ProcessInfo kEmpty;
    return kEmpty;
  }
  std::shared_ptr<ProcessInfo> p_;
};

// agent-start / agent-stop: who is watching what, and the totals at exit.
struct AgentLifecycle {
  std::string version;
  std::string tier;
  std::string enforcement;  // "monitor", "full", "path-only"
  std::vector<std::string> sockets;  // the watched sockets resolved at start
  uint32_t pid = 0;
  uint64_t existing_connections = 0;  // agent-start: reported as existing-connection
  // agent-stop
  std::string reason;  // "SIGTERM", "SIGINT", "duration"
  uint64_t events = 0, lost = 0, requests = 0, kernel_records = 0;
  double uptime_sec = 0;
};

// A caller that forwards other sockets to the watched one (classify/relay_detector.h).
struct RelayInfo {
  std::vector<std::string> listen;  // "tcp:127.0.0.1:2375", "unix:/tmp/other.sock", ...
  std::string tool;                 // a known forwarding tool's name ("socat"), "" otherwise
};

// audit-finding / audit-finding-resolved (run's continuous audit): one audit
// finding that appeared or went away. The container, when the finding is
// about one, is in Event::container.
// The request that made the container a finding is about (agent/request_effects:
// a create or start whose effect was verified): its caller, so that the finding
// names who did it.
struct AuditCause {
  std::string operation;          // "container-create", "container-start"
  uint64_t request_realtime_ns = 0;
  uint32_t pid = 0;
  std::string process_name, executable, command_line;
  std::string container_id, container_name;  // the caller's container ("" on the host)
  uint64_t connection = 0;
};

struct AuditFindingInfo {
  std::string rule;      // the audit check id: "socket-mounted", "tcp-no-tls", ...
  std::string key;       // the stable key the diff matched on (audit/finding_diff.h)
  std::string severity;  // the audit's own: "info", "low", "medium", "high", "critical"
  std::string subject;
  std::string title;
  std::vector<std::string> evidence;
  std::string remediation;
  std::string socket_path;
  std::string trigger;   // what ran the audit: "start", "interval", "container-create", ...
  std::optional<AuditCause> caused_by;  // the request that created/started the finding's container
};

struct Event {
  RawEvent raw;
  std::string action;        // "connect", "send", "reply", "request", "flood-suppressed", "lost", "existing-connection", "agent-start", "agent-stop"
  std::string outcome;       // "success", "failure", "unknown"
  uint64_t realtime_ns = 0;  // wall clock, ns since the epoch (UTC)
  ProcessRef process;
  std::string cgroup_path;   // cgroup v2 path relative to the cgroup2 mount, "" if unknown
  std::string socket_path;   // the watched socket's path as configured ("@name" for abstract)
  std::string tier;          // "socket-tp" or "syscall-tp"
  // Stable names, e.g. "truncated", "unexpected-caller": string literals only (model/flag_name.h).
  // A std::string each was a heap allocation per flagged event (issue 18): most names are longer
  // than the 15-byte inline buffer.
  std::vector<FlagName> flags;
  std::optional<std::string> error;  // errno name for failures, e.g. "EACCES"
  std::optional<ContainerInfo> container;  // set when the caller is in a container
  std::string expected_by;   // the expected-caller rule that matched ("" if none)
  // Request events only ("request"): the decoded request, with its severity
  // from its risk flags and the caller flags.
  Boxed<DecodedRequest> request;
  std::string severity;      // "none", "low", "medium", "high", "critical"
  int severity_score = 0;    // ECS event.severity
  // Relay callers only (flag "relay").
  Boxed<RelayInfo> relay;
  // flood-suppressed events only: what the caller's flood budget held back.
  std::optional<FloodCounts> flood;
  // Loss events only
  uint64_t lost = 0;
  std::string lost_cause;    // "ringbuf-full", ...
  // Agent events (no caller): "lost", "enforcement-gap"
  std::string message;
  uint32_t previous_agent_pid = 0;     // enforcement-gap
  uint64_t gap_start_realtime_ns = 0;  // enforcement-gap: when the previous agent was last alive

  // Lifecycle events only ("agent-start", "agent-stop")
  Boxed<AgentLifecycle> agent;
  // "audit-finding", "audit-finding-resolved" only
  Boxed<AuditFindingInfo> finding;

  bool is_agent_event() const {
    return action == "lost"sv || action == "enforcement-gap"sv || action == "agent-gap"sv || action == "agent-start"sv ||
           action == "agent-stop"sv || action == "audit-finding"sv || action == "audit-finding-resolved"sv;
  }
};

// The caller's name as an event reports it: the process's where one was set, else the calling
// thread's comm from the kernel's record (what the event builder leaves it to).
inline const std::string& process_name(const Event& e) {
  return e.process->name.empty() ? e.raw.comm : e.process->name;
}

}  // namespace sockwarden
