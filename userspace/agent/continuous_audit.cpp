#include "agent/continuous_audit.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "agent/wall_clock.h"
#include "classify/redactor.h"
#include "decode/risk_flags.h"
#include "decode/severity.h"

namespace sockwarden {

namespace {

// The risk flags whose container settings the posture audit reports.
bool posture_flag(const std::string& name) {
  for (const char* f : {risk::kRuntimeSocketMount, risk::kHostMount, risk::kPrivileged, risk::kHostPid,
                        risk::kHostNetwork, risk::kHostIpc, risk::kHostUts, risk::kUsernsHost, risk::kCapAdd,
                        risk::kDevice, risk::kSecurityUnconfined})
    if (name == f) return true;
  return false;
}

// DELETE /containers/{id} (docker, and podman's /libpod/containers/{id}).
bool is_container_delete(const DecodedRequest& r) {
  if (r.method != "DELETE") return false;
  std::string p = r.path;
  if (p.rfind("/libpod", 0) == 0) p.erase(0, 7);
  if (p.rfind("/containers/", 0) != 0) return false;
  std::string rest = p.substr(12);
  return !rest.empty() && rest.find('/') == std::string::npos;
}

Severity event_severity_of(audit::Severity s) {
  switch (s) {
    case audit::Severity::Info: return Severity::None;
    case audit::Severity::Low: return Severity::Low;
    case audit::Severity::Medium: return Severity::Medium;
    case audit::Severity::High: return Severity::High;
    case audit::Severity::Critical: return Severity::Critical;
  }
  return Severity::None;
}

std::string redacted(const std::string& s) { return redact_payload(s).payload; }

}  // namespace

std::string audit_trigger_of(const DecodedRequest& r) {
  const std::string& op = r.operation;
  if (op == "container-create" || op == "cri-create-container" || op == "containerd-container-create") {
    for (const auto& f : r.risk)
      if (posture_flag(f.name)) return "container-create";
    return "";
  }
  if (op == "container-start") return "container-start";
  if (is_container_delete(r)) return "container-remove";
  if (r.grpc_method == "RemoveContainer" || (r.grpc_method == "Delete" && r.grpc_service.find(".containers.") != std::string::npos))
    return "container-remove";
  return "";
}

AuditOptions audit_options_for(const AgentOptions& o) {
  AuditOptions a;
  for (const auto& s : o.sockets)
    if (!s.empty() && s[0] != '@') a.sockets.push_back(s);
  // --no-default-sockets with only abstract sockets left: nothing to audit
  // by path, the defaults still show the usual suspects.
  a.no_default_sockets = o.no_default_sockets && !a.sockets.empty();
  a.docker_data_roots = o.docker_data_roots;
  a.containerd_state = o.containerd_state;
  a.containers_runroot = o.containers_runroot;
  // The agent in a container sees the host under --host-root: the audit reads
  // the host's sockets, /etc and runtime state there, as `audit --host-root` does.
  a.host_root = o.host_root;
  a.proc_root = o.proc_root;
  return a;
}

Event audit_finding_event(const audit::Finding& f, bool resolved, const std::string& trigger, uint64_t realtime_ns) {
  Event e;
  e.action = resolved ? "audit-finding-resolved" : "audit-finding";
  e.outcome = "success";
  e.realtime_ns = realtime_ns;
  Severity s = event_severity_of(f.severity);
  e.severity = severity_name(s);
  e.severity_score = severity_score(s);
  AuditFindingInfo info;
  info.rule = f.check;
  info.key = audit::finding_key(f);
  info.severity = audit::severity_name(f.severity);
  info.subject = f.subject;
  info.title = redacted(f.title);
  for (const auto& ev : f.evidence) info.evidence.push_back(redacted(ev));
  info.remediation = f.remediation;
  info.socket_path = f.socket_path;
  info.trigger = trigger;
  e.finding = std::move(info);
  if (!f.container_id.empty()) {
    ContainerInfo c;
    c.ref.id = f.container_id;
    c.ref.runtime = f.container_runtime;
    c.name = f.container_name;
    c.image = f.container_image;
    e.container = std::move(c);
  }
  return e;
}

// Shared with the worker thread, which may outlive the ContinuousAudit when
// stop() gives up waiting on a hung evaluation.
struct ContinuousAudit::State {
  Collect collect;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  bool worker_done = false;
  uint32_t interval_sec = 0;
  std::optional<Clock::time_point> next_periodic;
  std::deque<std::pair<Clock::time_point, std::string>> scheduled;  // (due, trigger)
  // Finished, not taken yet. Turned into events on the loop thread: the
  // redactor's extra header list is the loop thread's (SIGHUP sets it).
  struct Change {
    audit::Finding finding;
    bool resolved;
    std::string trigger;
    uint64_t realtime_ns;
  };
  std::vector<Change> ready;
  audit::FindingTracker tracker;
  size_t container_findings = 0;  // open findings about a container: a remove may resolve them
  ContinuousAuditCounters counters;

  void run_worker();
  // The due trigger(s) at `now`, merged; "" if none is due. Holds mu.
  std::string take_due(Clock::time_point now);
  std::optional<Clock::time_point> next_due() const;
};

std::optional<ContinuousAudit::Clock::time_point> ContinuousAudit::State::next_due() const {
  std::optional<Clock::time_point> due = next_periodic;
  for (const auto& [t, _] : scheduled)
    if (!due || t < *due) due = t;
  return due;
}

std::string ContinuousAudit::State::take_due(Clock::time_point now) {
  std::string trigger;
  for (auto it = scheduled.begin(); it != scheduled.end();) {
    if (it->first <= now) {
      if (trigger.empty()) trigger = it->second;
      it = scheduled.erase(it);
    } else {
      ++it;
    }
  }
  if (next_periodic && *next_periodic <= now) {
    if (trigger.empty()) trigger = "interval";
    next_periodic = now + std::chrono::seconds(interval_sec);
  }
  return trigger;
}

void ContinuousAudit::State::run_worker() {
  std::unique_lock lk(mu);
  while (!stopping) {
    auto due = next_due();
    auto now = Clock::now();
    if (!due) {
      cv.wait(lk);
      continue;
    }
    if (*due > now) {
      cv.wait_until(lk, *due);
      continue;
    }
    std::string trigger = take_due(now);
    if (trigger.empty()) continue;
    lk.unlock();
    std::vector<audit::Finding> findings;
    std::string error;
    auto t0 = Clock::now();
    try {
      findings = collect();
    } catch (const std::exception& e) {
      error = e.what();
    }
    double took = std::chrono::duration<double>(Clock::now() - t0).count();
    lk.lock();
    if (stopping) break;
    counters.last_duration_sec = took;
    if (!error.empty()) {
      counters.errors++;
      spdlog::error("continuous audit ({}) failed after {:.1f}s: {}; the next trigger tries again", trigger, took, error);
      continue;
    }
    counters.runs++;
    audit::FindingDiff d = tracker.update(findings);
    container_findings = 0;
    for (const auto& [_, f] : tracker.current()) container_findings += !f.container_id.empty();
    counters.findings = tracker.current().size();
    uint64_t at = now_realtime_ns();
    for (auto& f : d.added) ready.push_back({std::move(f), false, trigger, at});
    for (auto& f : d.resolved) ready.push_back({std::move(f), true, trigger, at});
    spdlog::info("continuous audit ({}): {} findings, {} new, {} resolved, in {:.2f}s", trigger,
                 counters.findings, d.added.size(), d.resolved.size(), took);
  }
  worker_done = true;
  cv.notify_all();
}

ContinuousAudit::ContinuousAudit(Collect collect, uint32_t interval_sec, Clock::duration debounce)
    : state_(std::make_shared<State>()), debounce_(debounce) {
  state_->collect = std::move(collect);
  state_->interval_sec = interval_sec;
}

ContinuousAudit::~ContinuousAudit() { stop(); }

void ContinuousAudit::start() {
  if (started_) return;
  started_ = true;
  {
    std::lock_guard lk(state_->mu);
    auto now = Clock::now();
    state_->scheduled.emplace_back(now, "start");
    if (state_->interval_sec) state_->next_periodic = now + std::chrono::seconds(state_->interval_sec);
  }
  std::thread([s = state_] { s->run_worker(); }).detach();  // joined through worker_done in stop()
}

void ContinuousAudit::set_interval(uint32_t sec) {
  std::lock_guard lk(state_->mu);
  if (sec == state_->interval_sec) return;
  state_->interval_sec = sec;
  if (sec) state_->next_periodic = Clock::now() + std::chrono::seconds(sec);
  else state_->next_periodic.reset();
  spdlog::info("continuous audit: {}", sec ? "every " + std::to_string(sec) + "s" : std::string("periodic runs off"));
  state_->cv.notify_all();
}

void ContinuousAudit::schedule(const std::string& trigger, Clock::time_point now) {
  std::lock_guard lk(state_->mu);
  // One pending evaluation per trigger is enough: a burst of creates is one audit.
  for (const auto& [_, t] : state_->scheduled)
    if (t == trigger) return;
  state_->scheduled.emplace_back(now + debounce_, trigger);
  state_->cv.notify_all();
}

void ContinuousAudit::on_request(const Event& e) {
  if (!e.request) return;
  std::string trigger = audit_trigger_of(*e.request);
  if (trigger.empty()) return;
  if (trigger == "container-remove") {
    std::lock_guard lk(state_->mu);
    if (state_->container_findings == 0) return;  // nothing a removal could resolve
  }
  schedule(trigger);
}

std::vector<Event> ContinuousAudit::take_events() {
  std::vector<State::Change> changes;
  {
    std::lock_guard lk(state_->mu);
    changes.swap(state_->ready);
    state_->counters.emitted += changes.size();
  }
  std::vector<Event> out;
  out.reserve(changes.size());
  for (const auto& c : changes) out.push_back(audit_finding_event(c.finding, c.resolved, c.trigger, c.realtime_ns));
  return out;
}

void ContinuousAudit::stop(Clock::duration grace) {
  if (!started_) return;
  started_ = false;
  std::unique_lock lk(state_->mu);
  state_->stopping = true;
  state_->cv.notify_all();
  if (!state_->cv.wait_for(lk, grace, [&] { return state_->worker_done; }))
    spdlog::warn("continuous audit: an evaluation is still running at exit; its result is dropped");
}

ContinuousAuditCounters ContinuousAudit::counters() const {
  std::lock_guard lk(state_->mu);
  return state_->counters;
}

std::unique_ptr<ContinuousAudit> make_continuous_audit(const AgentOptions& opts) {
  if (!opts.continuous_audit) return nullptr;
  AuditOptions a = audit_options_for(opts);
  validate_audit_options(a);
  return std::make_unique<ContinuousAudit>([a] { return collect_audit(a).findings; }, opts.audit_interval_sec);
}

}  // namespace sockwarden
