#include "agent/pipeline.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <exception>
#include <utility>

#include "agent/cgroup2_location.h"
#include "agent/existing_connections.h"
#include "agent/lifecycle.h"
#include "agent/signals.h"
#include "agent/wall_clock.h"
#include "capture/errors.h"
#include "enrich/docker_data_root.h"
#include "enrich/host_process.h"
#include "enrich/mountinfo.h"
#include "enrich/containerd_effect_state.h"
#include "enrich/podman_effect_state.h"

namespace sockwarden {

namespace {

uint64_t boot_now_ns() {
  struct timespec ts {};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

RuntimeRoots runtime_roots(const AgentOptions& o) {
  RuntimeRoots roots;
  if (!o.containerd_state.empty()) roots.containerd_state = o.containerd_state + "/io.containerd.runtime.v2.task";
  if (!o.containers_storage.empty())
    roots.podman_rootful = roots.crio_config = o.containers_storage + "/overlay-containers";
  if (!o.containers_runroot.empty())
    roots.podman_rootful_run = roots.crio_state = o.containers_runroot + "/overlay-containers";
  return roots;
}

}  // namespace

// ---- The pipeline, top to bottom -------------------------------------------

// A kernel record -> Events. One bad record is one lost event, never the end
// of the agent (see Delivery for why).
void Agent::on_record(RawEvent&& raw) {
  try {
    // One clock read per record, shared by its stages (issue 18: three reads
    // per event were ~5% of the agent at 100,000 events/s).
    const auto now = Clock::now();
    fed_.clear();
    records_->feed(std::move(raw), now, fed_);
    for (auto& e : fed_) process(std::move(e), now);
    fed_.clear();
  } catch (const std::exception& ex) {
    delivery_->contained("processing-error", ex.what());
  }
}

// Every event, from the kernel or the agent itself, passes here.
void Agent::process(Event&& e, Clock::time_point now) {
  if (e.action == "lost"sv) {
    stats_.lost += e.lost;
    stats_.lost_by_cause[e.lost_cause] += e.lost;
  }
  callers_->classify(e, now);
  // Requests are decoded from every send (before the filter, so that a
  // connection's stream stays whole, and before redaction, which would break
  // the framing); request events then pass the same filter as the rest.
  std::vector<Event> requests;
  if (e.action == "send"sv) requests = requests_->on_send(e, now);
  else if (e.action == "reply"sv) requests = requests_->on_reply(e, now);
  delivery_->publish(std::move(e));
  // Risky requests wait here (at most 2 s) for what the daemon actually did.
  delivery_->publish_all(effects_->admit(std::move(requests), now));
}

void Agent::process_all(std::vector<Event>&& events, Clock::time_point now) {
  for (auto& e : events) process(std::move(e), now);
}

void Agent::process_all(std::vector<Event>&& events) {
  if (!events.empty()) process_all(std::move(events), Clock::now());
}

RunStats Agent::run() {
  install_agent_signal_handlers();
  sink_.on_start(stats_.tier);
  announce_start();
  if (audit_) audit_->start();
  const auto start = Clock::now();
  next_tick_ = start;
  while (!stop_requested()) {
    if (opts_.duration_sec > 0 && Clock::now() - start >= std::chrono::duration<double>(opts_.duration_sec)) break;
    capture_->poll(100, [this](RawEvent&& raw) { on_record(std::move(raw)); });
    records_->settle();
    delivery_->idle();
    if (take_reload_request()) reload();
    const auto now = Clock::now();
    if (now >= next_tick_) tick(now);
  }
  finish();
  return stats_;
}

// ---- Set-up ----------------------------------------------------------------

Agent::Agent(const AgentOptions& opts, EventSink& sink)
    : opts_(opts), live_(opts), sink_(sink), relays_(opts.proc_root), attempts_(opts.proc_root), procs_(opts.proc_root) {
  validate_agent_options(opts_);
  CallerPolicy policy = build_caller_policy(opts_);  // a bad file is a usage error: before any BPF work
  check_privileges_and_btf();

  const Cgroup2Location cgroup2 = locate_cgroup2(opts_);
  cgroup2_ = cgroup2.root;
  cgroup2_private_ns_ = cgroup2.private_ns;

  TierSettings settings;
  settings.self_tgid = static_cast<uint32_t>(getpid());
  settings.payload_cap = opts_.payload_cap;
  settings.ringbuf_bytes = opts_.ringbuf_kb * 1024u;
  settings.flood_send_rate = opts_.flood_send_rate;
  settings.flood_open_rate = opts_.flood_open_rate;
  settings.cgroup2_root = cgroup2_.value_or("");
  std::vector<ProbeStep> steps;
  capture_ = Capture::open(opts_.tier, settings, &steps);
  for (const auto& s : steps)
    if (!s.ok) spdlog::info("tier {} not available: {}", s.tier, s.reason);
  stats_.tier = capture_->tier().name;
  spdlog::info("capturing with tier {} ({})", capture_->tier().name, capture_->tier().hooks);

  watches_ = std::make_unique<WatchSync>(watched_specs(opts_.no_default_sockets, opts_.sockets), opts_.host_root,
                                         *capture_, relays_, attempts_);
  if (watches_->resync() == 0)
    spdlog::warn("none of the watched sockets exists yet; they are picked up when they appear");

  size_t seeded = procs_.seed_from_proc();
  spdlog::debug("process table seeded with {} running processes", seeded);
  capture_->set_proc_handler([this](ProcEvent&& ev) {
    procs_.on_event(ev);
    daemon_watch_.on_proc_event(ev);  // a runtime daemon started or exited: look again at the next tick
    // An exec the runtime started in a container may be what a pending exec request did.
    if (runtime_execs_ && effects_ && runtime_execs_->on_exec(ev))
      delivery_->publish_all(effects_->on_exec(Clock::now()));
  });
  cgroups_ = std::make_unique<CgroupResolver>(cgroup2_.value_or("/nonexistent"));
  builder_ = std::make_unique<EventBuilder>(procs_, *cgroups_, clock_,
                                            [this](uint32_t id) { return watches_->path_of(id); });
  correlator_ = std::make_unique<ConnectCorrelator>([this](RawEvent& a) { return attempts_.resolve(a); });
  containers_ = std::make_unique<ContainerResolver>(runtime_roots(opts_));
  builder_->set_container_resolver(containers_.get());
  host_ = HostNamespaces::read(opts_.proc_root, host_root_pid(opts_.host_root));
  // Names come from the runtimes' own state on disk, never from their sockets.
  refresh_docker_roots();
  callers_ = std::make_unique<CallerStage>(std::move(policy), host_, relays_);

  PolicyInputs policy_inputs;
  policy_inputs.proc_root = opts_.proc_root;
  policy_inputs.host_mntns = host_.mntns;
  policy_inputs.cgroup2_root = cgroup2_.value_or("");
  policy_inputs.containers = containers_.get();
  enforcer_ = std::make_unique<Enforcer>(capture_->bpf(),
                                         EnforceOptions{opts_.enforce, opts_.deny_host_callers, opts_.state_dir},
                                         policy_inputs);
  enforcement_gap_ = enforcer_->start(callers_->policy());
  // Monitor mode under `run`: the same kind of marker, so that a kill -9 or a
  // crash shows up as an agent-gap at the next start (enforcing agents have theirs).
  if (opts_.lifecycle_events && !opts_.enforce) {
    running_marker_.emplace(opts_.state_dir, "running", opts_.proc_root);
    try {
      agent_gap_ = running_marker_->claim();
    } catch (const std::runtime_error& e) {
      spdlog::warn("{}: a crash of this agent will not be reported at the next start", e.what());
      running_marker_.reset();
    }
  }
  stats_.enforcement = enforcer_->level();

  ReassemblerOptions ropts;
  ropts.request_budget = opts_.request_budget;
  ropts.decoder_budget = size_t{opts_.decoder_budget_mb} << 20;
  // The daemon's replies are captured by every tier but syscall-tp.
  const bool replies_visible = capture_->tier().id != TierId::SyscallTp;
  requests_ = std::make_unique<RequestPipeline>(ropts, replies_visible);
  runtime_execs_ = std::make_unique<RuntimeExecs>(
      procs_,
      [this](uint64_t cgroup_id) -> std::string {
        std::string path = cgroups_->path_for(cgroup_id);
        if (path.empty()) return {};
        auto info = containers_->resolve(path);
        return info ? info->ref.id : std::string();
      },
      opts_.proc_root);
  RequestEffects::Sources effect_sources;
  effect_sources.docker_roots = [this] { return containers_->docker_data_roots(); };
  effect_sources.containerd_states = [this] { return containerd_states_; };
  effect_sources.containerd_roots = [this] { return containerd_roots_; };
  effect_sources.execs = runtime_execs_.get();
  // podman's graph root (rootful; rootless stores are their users' to write, and not trusted).
  const std::string podman_root =
      opts_.containers_storage.empty() ? "/var/lib/containers/storage" : opts_.containers_storage;
  effect_sources.podman_dirs = podman_container_dirs(podman_root);
  effect_sources.podman_graph_roots = {podman_root};
  effects_ = std::make_unique<RequestEffects>(std::move(effect_sources));
  audit_ = make_continuous_audit(opts_);
  records_ = std::make_unique<RecordBuilder>(*builder_, *correlator_);
  delivery_ = std::make_unique<Delivery>(sink_, EventFilter(opts_.pids, opts_.container, opts_.only_flagged),
                                         audit_.get(), *builder_, stats_);
  losses_ = std::make_unique<LossReporter>(*capture_, *correlator_, *requests_, sink_, *builder_);
}

Agent::~Agent() = default;

void Agent::refresh_docker_roots() {
  // host_.mntns: read from --host-root's process when the agent runs in a container, where
  // /proc/1/ns/mnt may be unreadable and the agent's own mount namespace is not the host's.
  // One pass over /proc finds both daemons (trusted_daemons: root's own binaries, host mount
  // namespace, no container cgroup).
  const auto daemons = trusted_daemons(opts_.proc_root, daemon_watch_.exe_names(), 0, host_.mntns);
  std::vector<uint32_t> pids;
  for (const auto& d : daemons) pids.push_back(d.pid);
  daemon_watch_.scanned(std::move(pids), Clock::now());
  auto roots = docker_data_roots_of(daemons, opts_.docker_daemon_json, 0);
  roots.insert(roots.begin(), opts_.docker_data_roots.begin(), opts_.docker_data_roots.end());
  containers_->set_docker_data_roots(roots);
  // containerd's state directories for request effects: --containerd-state first, then every
  // running containerd's (its --state, or state = in its config).
  auto states = containerd_states_of(daemons, 0);
  if (!opts_.containerd_state.empty() &&
      std::find(states.begin(), states.end(), opts_.containerd_state) == states.end())
    states.insert(states.begin(), opts_.containerd_state);
  containerd_states_ = std::move(states);
  // Their root directories: the metadata database containerd's image requests are judged by.
  containerd_roots_ = containerd_roots_of(daemons, 0);
}

// agent-start, then the connections opened before the hooks were attached,
// then any gap a previous agent left.
void Agent::announce_start() {
  // Snapshot existing connections only now (hooks attached, watches resolved),
  // so none falls between the two; one made meanwhile may show up as both
  // connect and existing-connection.
  const uint64_t start_realtime_ns = now_realtime_ns();  // agent-start precedes the snapshot in time too
  std::vector<Event> existing;
  if (opts_.existing_connections)
    existing = existing_connection_events(watches_->resolve(), opts_.proc_root,
                                          CgroupPaths{cgroup2_.value_or(""), cgroup2_private_ns_},
                                          capture_->tier().abi_id, *containers_, *builder_);
  started_ = Clock::now();
  if (opts_.lifecycle_events) {
    std::vector<std::string> watched;
    for (const auto& w : watches_->resolve()) watched.push_back(w.path);
    delivery_->to_sink(agent_start_event(stats_, std::move(watched), existing.size(), start_realtime_ns));
  }
  process_all(std::move(existing));
  // Everything is attached and the watch maps are filled: from here on nothing is missed.
  // (Tests and scripts wait for this line rather than sleeping.)
  spdlog::info("ready: tier {}, enforcement {}", stats_.tier, stats_.enforcement);
  if (agent_gap_)
    process(builder_->agent_gap(agent_gap_->previous_pid, agent_gap_->last_alive_realtime_ns, now_realtime_ns()),
            Clock::now());
  if (enforcement_gap_)
    process(builder_->enforcement_gap(enforcement_gap_->previous_pid, enforcement_gap_->last_alive_realtime_ns,
                                      now_realtime_ns()),
            Clock::now());
}

// ---- Beside the pipeline: every 500 ms ----------------------------------------

void Agent::tick(Clock::time_point now) {
  next_tick_ = now + std::chrono::milliseconds(500);
  watches_->resync();
  enforcer_->refresh(callers_->policy());
  if (running_marker_) running_marker_->touch();
  process_all(records_->expire(now));
  delivery_->publish_all(effects_->admit(requests_->tick(now), now));
  delivery_->publish_all(effects_->expire(now));
  runtime_execs_->expire(boot_now_ns());
  procs_.expire();
  process_all(losses_->collect());
  stats_.kernel = losses_->kernel();
  take_audit_events();
  auto rs = requests_->stats();
  stats_.requests = rs.requests;
  stats_.replies_unseen = rs.replies_unseen;
  sink_.on_tick(stats_);
  if (daemon_watch_.due(now)) refresh_docker_roots();
}

void Agent::take_audit_events() {
  if (!audit_) return;
  auto events = audit_->take_events();
  // A finding about a container a watched request made names that request's caller.
  for (auto& e : events)
    if (e.finding && e.container && e.action == "audit-finding"sv)
      if (const AuditCause* c = effects_->cause_of(e.container->ref.id)) e.finding->caused_by = *c;
  delivery_->publish_all(std::move(events));
  auto c = audit_->counters();
  stats_.audit_runs = c.runs;
  stats_.audit_errors = c.errors;
  stats_.audit_findings = c.findings;
  stats_.audit_events = c.emitted;
}

// SIGHUP: re-read the config file and --expected-callers, parsed whole before
// anything is applied; a bad file keeps the running config.
void Agent::reload() {
  try {
    AgentOptions next = live_;
    std::function<void()> apply_rest;
    if (opts_.reload_config) apply_rest = opts_.reload_config(next);
    validate_agent_options(next);
    CallerPolicy fresh = build_caller_policy(next);
    // Outputs first: a new one that cannot be opened throws before anything changed.
    if (apply_rest) apply_rest();
    for (const auto& key : restart_only_changes(live_, next))
      spdlog::warn("config reload: {} changed, restart sockwarden to apply it", key);
    callers_->set_policy(std::move(fresh));
    spdlog::info("reloaded the expected-caller policy ({} rules)", callers_->policy().rules().size());
    enforcer_->refresh(callers_->policy());
    if (next.sockets != live_.sockets || next.no_default_sockets != live_.no_default_sockets) {
      auto specs = watched_specs(next.no_default_sockets, next.sockets);
      const size_t n = specs.size();
      spdlog::info("watching {} socket specs after reload ({} exist)", n, watches_->replace(std::move(specs)));
    }
    live_.sockets = next.sockets;
    live_.no_default_sockets = next.no_default_sockets;
    live_.expected_callers_file = next.expected_callers_file;
    live_.expected_rules = next.expected_rules;
    live_.no_default_rules = next.no_default_rules;
    live_.expect = next.expect;
    if (audit_) audit_->set_interval(next.audit_interval_sec);
  } catch (const UserError& e) {
    // One log line per mistake: the config parser reports them all.
    const std::string what = e.what();
    for (size_t at = 0; at <= what.size();) {
      size_t nl = what.find('\n', at);
      if (nl == std::string::npos) nl = what.size();
      spdlog::error("reload failed, the running config stays in force: {}", what.substr(at, nl - at));
      at = nl + 1;
    }
  }
}

// ---- Exit ------------------------------------------------------------------

// Drain what the kernel already queued, settle every pending attempt and
// request, report the last losses; agent-stop is the last event.
void Agent::finish() {
  if (stop_signal())
    spdlog::info("stopping on {} from pid {}", strsignal(stop_signal()), stop_sender());
  while (capture_->poll(0, [this](RawEvent&& raw) { on_record(std::move(raw)); }) > 0) {
  }
  process_all(records_->flush());
  delivery_->publish_all(effects_->admit(requests_->flush(), Clock::now()));
  delivery_->publish_all(effects_->flush());
  process_all(losses_->collect(true));
  stats_.kernel = losses_->kernel();
  if (audit_) audit_->stop();
  take_audit_events();
  enforcer_->stop();
  if (running_marker_) running_marker_->remove();
  auto rs = requests_->stats();
  stats_.requests = rs.requests;
  stats_.evicted_connections = rs.evicted_connections;
  stats_.expired_connections = rs.expired_connections;
  stats_.replies_unseen = rs.replies_unseen;
  spdlog::info("decoded {} requests ({} without a reply status); decoder connections evicted {}, expired {}",
               rs.requests, rs.replies_unseen, rs.evicted_connections, rs.expired_connections);
  const EffectStats& fx = effects_->stats();
  spdlog::info("request effects: {} verified ({} with effect-mismatch), {} unknown ({} released early: queue full)",
               fx.verified, fx.mismatches, fx.unknown, fx.queue_full);
  if (opts_.lifecycle_events) {
    // The last event: every drained record and settled request is before it.
    double uptime = std::chrono::duration<double>(Clock::now() - started_).count();
    delivery_->to_sink(agent_stop_event(stats_, stop_signal(), uptime, now_realtime_ns()));
  }
  sink_.on_exit(stats_);
}

}  // namespace sockwarden
