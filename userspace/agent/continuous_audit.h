// `sockwarden run`'s continuous audit: the findings of `sockwarden audit`
// re-evaluated at start, every interval, and shortly after a decoded request
// that can change them (a container created with a risky setting, started
// after such a create, or removed while a container finding is open); new
// findings become audit-finding events, gone ones audit-finding-resolved.
//
// The audit runs on its own thread: it reads all of /proc, every mount
// namespace's mountinfo and the runtimes' state, which takes far longer than
// the capture loop may stall. The loop only schedules (on_request, a mutex
// and a deque push) and collects finished results (take_events). A failing
// audit is a counter and a log line; the next trigger tries again.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audit/finding.h"
#include "audit/finding_diff.h"
#include "agent/agent.h"
#include "audit/run_audit.h"
#include "model/event.h"

namespace sockwarden {

// What a decoded request asks the continuous audit to do: "" (nothing),
// "container-create" (a create with a risk flag the posture audit checks:
// socket mount, host mount, privileged, host namespaces, capabilities,
// devices, unconfined), "container-start", "container-remove". Docker and
// libpod paths, CRI CreateContainer/RemoveContainer, containerd containers.
std::string audit_trigger_of(const DecodedRequest& r);

// The audit's options for the agent's sockets (abstract ones have no inode
// to audit and are left out) and runtime state directories.
AuditOptions audit_options_for(const AgentOptions& o);

// One finding as an event (realtime_ns: when it was noticed).
Event audit_finding_event(const audit::Finding& f, bool resolved, const std::string& trigger, uint64_t realtime_ns);

struct ContinuousAuditCounters {
  uint64_t runs = 0;      // evaluations finished
  uint64_t errors = 0;    // evaluations that threw (no diff was made)
  uint64_t findings = 0;  // tracked findings open after the last evaluation
  uint64_t emitted = 0;   // audit-finding + audit-finding-resolved events handed out
  double last_duration_sec = 0;
};

class ContinuousAudit {
 public:
  using Clock = std::chrono::steady_clock;
  // Returns the current findings; may throw (counted as an error).
  using Collect = std::function<std::vector<audit::Finding>()>;

  // interval_sec 0: no periodic evaluation (start and triggers only).
  // debounce: how long after a create/start/remove request the audit runs
  // (the runtime writes the container's state after answering).
  ContinuousAudit(Collect collect, uint32_t interval_sec,
                  Clock::duration debounce = std::chrono::milliseconds(1500));
  ~ContinuousAudit();  // stop()
  ContinuousAudit(const ContinuousAudit&) = delete;
  ContinuousAudit& operator=(const ContinuousAudit&) = delete;

  // Starts the worker; the first evaluation (trigger "start") runs at once
  // and reports every finding open now.
  void start();
  // SIGHUP: the next periodic evaluation is `sec` from now (0: none).
  void set_interval(uint32_t sec);
  // Schedules a re-evaluation after the debounce ("manual" or a trigger name).
  void schedule(const std::string& trigger, Clock::time_point now = Clock::now());
  // A decoded request event: schedules when audit_trigger_of says so.
  void on_request(const Event& e);
  // Loop thread: the events of the evaluations finished since the last call,
  // payload-redacted like captured traffic.
  std::vector<Event> take_events();
  // Stops the worker, waiting at most `grace` for an evaluation in progress
  // (then it is left to finish on its own; its result is dropped).
  void stop(Clock::duration grace = std::chrono::seconds(5));
  ContinuousAuditCounters counters() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  Clock::duration debounce_;
  bool started_ = false;
};

// null when opts.continuous_audit is off; otherwise an audit of the
// agent's sockets and runtime roots (not started yet).
std::unique_ptr<ContinuousAudit> make_continuous_audit(const AgentOptions& opts);

}  // namespace sockwarden
