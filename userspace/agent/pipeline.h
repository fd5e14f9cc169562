// The agent: one object that owns every stage and runs them in order.
//
//   kernel ring buffer
//     -> capture        (capture/: BPF tier, records)
//     -> RecordBuilder  (correlate connect attempts, enrich: process, cgroup, container)
//     -> CallerStage    (expected-caller policy flags, relays)
//     -> RequestPipeline(decode sends/replies into API requests, risk, severity)
//     -> RequestEffects (what the daemon actually did for risky requests)
//     -> Delivery       (continuous audit, filter, redaction, the sink)
//
// Beside it, on the 500 ms tick: WatchSync (sockets that appear or are
// recreated), Enforcer refresh, LossReporter (drops become `lost` events),
// the continuous audit's findings, the sink's heartbeat. SIGHUP reloads the
// config (reload()).
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/caller_stage.h"
#include "agent/continuous_audit.h"
#include "agent/delivery.h"
#include "agent/loss_reporter.h"
#include "agent/record_builder.h"
#include "agent/request_effects.h"
#include "agent/request_pipeline.h"
#include "agent/runtime_daemon_watch.h"
#include "agent/runtime_execs.h"
#include "agent/watch_sync.h"
#include "capture/capture.h"
#include "classify/relay_detector.h"
#include "decode/connect_correlator.h"
#include "enforce/enforcement_marker.h"
#include "enforce/enforcer.h"
#include "enrich/attempt_resolver.h"
#include "enrich/boot_clock.h"
#include "enrich/cgroup_resolver.h"
#include "enrich/container_resolver.h"
#include "enrich/containerd_effect_state.h"
#include "enrich/docker_data_root.h"
#include "enrich/event_builder.h"
#include "enrich/process_table.h"

namespace sockwarden {

class Agent {
 public:
  // Loads the BPF tier, resolves the watched sockets, seeds the process table
  // and starts enforcement: everything that can fail does so here, before
  // the first event. Throws UserError for anything the user must fix.
  Agent(const AgentOptions& opts, EventSink& sink);
  ~Agent();

  // Runs until the duration ends or SIGINT/SIGTERM; drains the ring buffer
  // and settles everything pending before returning.
  RunStats run();

 private:
  using Clock = std::chrono::steady_clock;

  // The pipeline, in the order a record passes it.
  void on_record(RawEvent&& raw);
  void process(Event&& e, Clock::time_point now);
  void process_all(std::vector<Event>&& events, Clock::time_point now);
  void process_all(std::vector<Event>&& events);  // at Clock::now()

  // Beside it.
  void announce_start();
  void tick(Clock::time_point now);
  void reload();
  void refresh_docker_roots();  // and containerd's state directories (when daemon_watch_ says)
  void take_audit_events();
  void finish();

  const AgentOptions opts_;
  AgentOptions live_;  // what SIGHUP reloads compare against
  EventSink& sink_;
  RunStats stats_;
  std::optional<std::string> cgroup2_;
  bool cgroup2_private_ns_ = false;  // cgroup paths in /proc are relative to our own namespace

  std::unique_ptr<Capture> capture_;
  RelayDetector relays_;
  AttemptResolver attempts_;
  std::unique_ptr<WatchSync> watches_;
  ProcessTable procs_;
  std::unique_ptr<CgroupResolver> cgroups_;
  BootClock clock_;
  std::unique_ptr<EventBuilder> builder_;
  std::unique_ptr<ConnectCorrelator> correlator_;
  std::unique_ptr<ContainerResolver> containers_;
  HostNamespaces host_;
  std::unique_ptr<CallerStage> callers_;
  std::unique_ptr<Enforcer> enforcer_;
  std::optional<EnforcementGap> enforcement_gap_;
  std::optional<EnforcementMarker> running_marker_;  // run in monitor mode: kill -9 -> agent-gap
  std::optional<EnforcementGap> agent_gap_;
  std::unique_ptr<RequestPipeline> requests_;
  std::unique_ptr<RuntimeExecs> runtime_execs_;
  std::unique_ptr<RequestEffects> effects_;
  std::vector<std::string> containerd_states_;  // every running containerd's (refresh_docker_roots)
  std::vector<std::string> containerd_roots_;   // the same containerds' root directories
  std::unique_ptr<ContinuousAudit> audit_;
  std::unique_ptr<RecordBuilder> records_;
  std::vector<Event> fed_;  // one record's events (on_record), kept for its capacity
  std::unique_ptr<Delivery> delivery_;
  std::unique_ptr<LossReporter> losses_;

  Clock::time_point started_;
  Clock::time_point next_tick_;
  RuntimeDaemonWatch daemon_watch_{{kDockerdExe, kContainerdExe}};
};

}  // namespace sockwarden
