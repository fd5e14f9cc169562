#include "commands/agent.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>

#include "capture/errors.h"
#include "capture/flood_reader.h"
#include "capture/watch_list.h"
#include "classify/caller_classifier.h"
#include "classify/caller_policy.h"
#include "classify/event_filter.h"
#include "classify/redactor.h"
#include "classify/relay_detector.h"
#include "commands/continuous_audit.h"
#include "commands/existing_connections.h"
#include "commands/lifecycle.h"
#include "commands/request_pipeline.h"
#include "decode/connect_correlator.h"
#include "enrich/attempt_resolver.h"
#include "enrich/boot_clock.h"
#include "enrich/cgroup_resolver.h"
#include "enrich/container_resolver.h"
#include "enrich/docker_data_root.h"
#include "enrich/event_builder.h"
#include "enrich/host_cgroup2.h"
#include "enrich/mountinfo.h"
#include "enrich/process_table.h"
#include "enforce/enforcement_marker.h"
#include "enforce/enforcer.h"
#include "events.h"

namespace sockwarden {

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_reload = 0;

volatile std::sig_atomic_t g_stop_signal = 0;
volatile std::sig_atomic_t g_stop_sender = 0;

void on_signal(int sig, siginfo_t* info, void*) {
  g_stop = 1;
  g_stop_signal = sig;
  g_stop_sender = info ? info->si_pid : 0;
}
void on_reload(int) { g_reload = 1; }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_sigaction = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO;  // no SA_RESTART: a blocked poll returns so we can drain and exit
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction hup {};
  hup.sa_handler = on_reload;
  sigemptyset(&hup.sa_mask);
  sigaction(SIGHUP, &hup, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

uint64_t now_realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

// Keys a running agent cannot change: the BPF programs, the ring buffer and
// the enforcement mode are set up once.
std::vector<std::string> restart_only_changes(const AgentOptions& a, const AgentOptions& b) {
  std::vector<std::string> keys;
  if (a.tier != b.tier) keys.push_back("tier");
  if (a.payload_cap != b.payload_cap) keys.push_back("payload_cap");
  if (a.ringbuf_kb != b.ringbuf_kb) keys.push_back("ringbuf_kb");
  if (a.request_budget != b.request_budget) keys.push_back("request_budget");
  if (a.decoder_budget_mb != b.decoder_budget_mb) keys.push_back("decoder_budget_mb");
  if (a.flood_send_rate != b.flood_send_rate || a.flood_open_rate != b.flood_open_rate) keys.push_back("flood rates");
  if (a.enforce != b.enforce) keys.push_back("enforce.mode");
  if (a.deny_host_callers != b.deny_host_callers) keys.push_back("enforce.deny_host_callers");
  if (a.state_dir != b.state_dir) keys.push_back("state_dir");
  if (a.docker_data_roots != b.docker_data_roots) keys.push_back("docker_data_root");
  if (a.containerd_state != b.containerd_state) keys.push_back("containerd_state");
  if (a.host_cgroup2 != b.host_cgroup2) keys.push_back("host_cgroup2");
  if (a.containers_storage != b.containers_storage) keys.push_back("containers_storage");
  if (a.containers_runroot != b.containers_runroot) keys.push_back("containers_runroot");
  if (a.continuous_audit != b.continuous_audit) keys.push_back("audit.enabled");
  return keys;
}

// The cgroup2 hierarchy the agent attaches cgroup/connect_unix to and maps
// BPF cgroup ids through. In a private cgroup namespace (a Kubernetes pod on
// a cgroup v2 node) the pod's own cgroup2 mount is rooted at the pod's cgroup:
// it must be the host's, mounted in or reached under --host-root.
std::optional<std::string> locate_cgroup2(const AgentOptions& opts) {
  Cgroup2Sources src;
  src.explicit_root = opts.host_cgroup2;
  src.own_mountinfo = opts.mountinfo;
  src.host_root = normalize_host_root(opts.host_root, nullptr);
  int host_pid = host_root_pid(src.host_root);
  if (!src.host_root.empty()) src.host_mountinfo = opts.proc_root + "/" + std::to_string(host_pid) + "/mountinfo";
  std::optional<Cgroup2Choice> choice;
  try {
    choice = locate_host_cgroup2(src);
  } catch (const std::invalid_argument& e) {
    throw UserError(kExitUsage, std::string("--host-cgroup2 ") + e.what());
  }
  CgroupNamespaceCheck ns = check_cgroup_namespace(opts.proc_root, host_pid);
  if (ns.private_ns)
    spdlog::info("the agent runs in a cgroup namespace of its own ({} != {} of {}): callers are resolved by "
                 "cgroup id through the host's hierarchy, not by /proc/PID/cgroup paths",
                 ns.self_ino, ns.host_ino, ns.compared_with);
  if (!choice) {
    spdlog::warn("no cgroup v2 hierarchy found ({}{}): cgroup paths unavailable, socket-tp cannot attach",
                 opts.mountinfo, src.host_root.empty() ? "" : ", --host-root " + src.host_root);
    return std::nullopt;
  }
  if (!choice->whole)
    spdlog::warn("cgroup2 at {} shows only a sub-tree of the hierarchy{}: callers outside it are not attributed "
                 "to containers and socket-tp only sees connects from inside it; mount the host's cgroup2 "
                 "(--host-cgroup2) or pass --host-root (docs/kubernetes-cgroupns.md)",
                 choice->root, ns.private_ns ? " (this cgroup namespace's root)" : "");
  else
    spdlog::info("cgroup2 hierarchy: {} (found via {})", choice->root, choice->how);
  return choice->root;
}

}  // namespace

void validate_agent_options(const AgentOptions& o) {
  for (const auto& s : o.sockets) {
    auto err = WatchList::validate_spec(s);
    if (!err.empty()) throw UserError(kExitUsage, "--socket '" + s + "': " + err);
  }
  std::string root_error;
  normalize_host_root(o.host_root, &root_error);
  if (!root_error.empty()) throw UserError(kExitUsage, "--host-root " + root_error);
  if (!o.host_cgroup2.empty() && o.host_cgroup2[0] != '/')
    throw UserError(kExitUsage, "--host-cgroup2 '" + o.host_cgroup2 + "': must be an absolute path");
  if (o.no_default_sockets && o.sockets.empty())
    throw UserError(kExitUsage, "--no-default-sockets needs at least one --socket PATH");
  if (o.tier != "auto" && !find_tier(o.tier)) {
    std::string names;
    for (const auto& t : tier_table()) names += std::string(" ") + t.name;
    throw UserError(kExitUsage, "--tier '" + o.tier + "': unknown tier (choose auto" + names + ")");
  }
  if (o.payload_cap > SW_PAYLOAD_MAX)
    throw UserError(kExitUsage, "--payload-cap " + std::to_string(o.payload_cap) + ": at most " +
                                    std::to_string(SW_PAYLOAD_MAX) + " bytes");
  uint32_t kb = o.ringbuf_kb;
  if (kb < 4 || (kb & (kb - 1)) != 0 || kb > (1u << 20))
    throw UserError(kExitUsage, "--ringbuf-kb " + std::to_string(kb) + ": must be a power of two between 4 and 1048576");
  if (o.request_budget < 1024 || o.request_budget > (16u << 20))
    throw UserError(kExitUsage, "--request-budget " + std::to_string(o.request_budget) +
                                    ": must be between 1024 and 16777216 bytes");
  if (o.decoder_budget_mb < 4 || o.decoder_budget_mb > 16384)
    throw UserError(kExitUsage, "--decoder-budget-mb " + std::to_string(o.decoder_budget_mb) +
                                    ": must be between 4 and 16384 MiB");
  if (o.flood_send_rate > 1000000 || o.flood_open_rate > 1000000)
    throw UserError(kExitUsage, "--flood-send-rate / --flood-connect-rate: at most 1000000 per second (0 = no limit)");
  if (o.audit_interval_sec > 86400 * 7)
    throw UserError(kExitUsage, "--audit-interval " + std::to_string(o.audit_interval_sec) +
                                    ": at most 604800 seconds (0 = only at start and on container changes)");
  if (!(o.duration_sec >= 0)) throw UserError(kExitUsage, "--duration must be a number of seconds >= 0");
  for (const auto& spec : o.expect) parse_expected_spec(spec, "--expect");
}

CallerPolicy build_caller_policy(const AgentOptions& o) {
  CallerPolicy policy = o.no_default_rules ? CallerPolicy() : CallerPolicy::with_defaults();
  if (!o.expected_callers_file.empty()) policy.load_file(o.expected_callers_file);
  for (const auto& rule : o.expected_rules) policy.add(rule);
  for (const auto& spec : o.expect) policy.add(parse_expected_spec(spec, "--expect"));
  return policy;
}

RunStats run_agent(const AgentOptions& opts, EventSink& sink) {
  validate_agent_options(opts);
  CallerPolicy policy = build_caller_policy(opts);  // a bad file is a usage error: before any BPF work
  check_privileges_and_btf();

  std::optional<std::string> cg2 = locate_cgroup2(opts);

  TierSettings settings;
  settings.self_tgid = static_cast<uint32_t>(getpid());
  settings.payload_cap = opts.payload_cap;
  settings.ringbuf_bytes = opts.ringbuf_kb * 1024u;
  settings.flood_send_rate = opts.flood_send_rate;
  settings.flood_open_rate = opts.flood_open_rate;
  settings.cgroup2_root = cg2.value_or("");
  std::vector<ProbeStep> steps;
  auto capture = Capture::open(opts.tier, settings, &steps);
  for (const auto& s : steps)
    if (!s.ok) spdlog::info("tier {} not available: {}", s.tier, s.reason);
  RunStats stats;
  stats.tier = capture->tier().name;
  spdlog::info("capturing with tier {} ({})", capture->tier().name, capture->tier().hooks);

  std::vector<std::string> specs = opts.no_default_sockets ? std::vector<std::string>{} : default_socket_specs();
  specs.insert(specs.end(), opts.sockets.begin(), opts.sockets.end());
  WatchList watches(specs, self_netns_ino(), normalize_host_root(opts.host_root, nullptr));
  AgentOptions live = opts;  // what SIGHUP reloads compare against
  AttemptResolver attempts(opts.proc_root);

  RelayDetector relays(opts.proc_root);
  auto resync = [&]() {
    auto resolved = watches.resolve();
    std::set<std::string> watched_paths;
    for (const auto& w : resolved) watched_paths.insert(w.path);
    relays.set_watched_paths(std::move(watched_paths));
    for (const auto& c : capture->sync_watches(resolved)) spdlog::info("{}", c);
    std::map<std::pair<uint32_t, uint64_t>, uint32_t> by_inode;
    for (const auto& w : resolved)
      if (w.key.kind == SW_WATCH_PATH) by_inode[{w.key.dev, w.key.ino}] = w.watch_id;
    attempts.set_watched(std::move(by_inode));
    return resolved.size();
  };
  if (resync() == 0) spdlog::warn("none of the watched sockets exists yet; they are picked up when they appear");

  ProcessTable procs(opts.proc_root);
  size_t seeded = procs.seed_from_proc();
  spdlog::debug("process table seeded with {} running processes", seeded);
  capture->set_proc_handler([&](ProcEvent&& ev) { procs.on_event(ev); });
  CgroupResolver cgroups(cg2.value_or("/nonexistent"));
  BootClock clock;
  EventBuilder builder(procs, cgroups, clock, [&](uint32_t id) { return watches.path_of(id); });
  ConnectCorrelator correlator([&](RawEvent& a) { return attempts.resolve(a); });
  EventFilter filter(opts.pids, opts.container, opts.only_flagged);
  RuntimeRoots roots;
  if (!opts.containerd_state.empty()) roots.containerd_state = opts.containerd_state + "/io.containerd.runtime.v2.task";
  if (!opts.containers_storage.empty())
    roots.podman_rootful = roots.crio_config = opts.containers_storage + "/overlay-containers";
  if (!opts.containers_runroot.empty())
    roots.podman_rootful_run = roots.crio_state = opts.containers_runroot + "/overlay-containers";
  ContainerResolver containers(roots);
  builder.set_container_resolver(&containers);
  HostNamespaces host = HostNamespaces::read(opts.proc_root, host_root_pid(opts.host_root));
  const CgroupNamespaceCheck cgroupns = check_cgroup_namespace(opts.proc_root, host_root_pid(opts.host_root));
  // Names come from the runtimes' own state on disk, never from their sockets.
  auto refresh_docker_roots = [&]() {
    // host.mntns: read from --host-root's process when the agent runs in a container, where
    // /proc/1/ns/mnt may be unreadable and the agent's own mount namespace is not the host's.
    auto roots = running_docker_data_roots(opts.proc_root, opts.docker_daemon_json, 0, host.mntns);
    roots.insert(roots.begin(), opts.docker_data_roots.begin(), opts.docker_data_roots.end());
    containers.set_docker_data_roots(roots);
  };
  refresh_docker_roots();

  PolicyInputs policy_inputs;
  policy_inputs.proc_root = opts.proc_root;
  policy_inputs.host_mntns = host.mntns;
  policy_inputs.cgroup2_root = cg2.value_or("");
  policy_inputs.containers = &containers;
  Enforcer enforcer(capture->bpf(), {opts.enforce, opts.deny_host_callers, opts.state_dir}, policy_inputs);
  std::optional<EnforcementGap> enforcement_gap = enforcer.start(policy);
  // Monitor mode under `run`: the same kind of marker, so that a kill -9 or a
  // crash shows up as an agent-gap at the next start (enforcing agents have theirs).
  std::optional<EnforcementMarker> running_marker;
  std::optional<EnforcementGap> agent_gap;
  if (opts.lifecycle_events && !opts.enforce) {
    running_marker.emplace(opts.state_dir, "running", opts.proc_root);
    try {
      agent_gap = running_marker->claim();
    } catch (const std::runtime_error& e) {
      spdlog::warn("{}: a crash of this agent will not be reported at the next start", e.what());
      running_marker.reset();
    }
  }
  stats.enforcement = enforcer.level();

  // Requests are decoded from every send (before the filter, so that a
  // connection's stream stays whole, and before redaction, which would break
  // the framing); request events then pass the same filter as the rest.
  ReassemblerOptions ropts;
  ropts.request_budget = opts.request_budget;
  ropts.decoder_budget = size_t{opts.decoder_budget_mb} << 20;
  // The daemon's replies are captured by every tier but syscall-tp.
  const bool replies_visible = capture->tier().id != TierId::SyscallTp;
  RequestPipeline requests(ropts, replies_visible);
  std::unique_ptr<ContinuousAudit> audit = make_continuous_audit(opts);
  // Containment: the bytes in an event are chosen by whoever writes to a
  // watched socket. An event that cannot be formatted or written (a
  // serializer or sink exception) must not end the agent, since a dead monitor
  // (and, with --enforce, a host that fails open) is what the attacker wants.
  // It becomes a loss record with cause `cause`, and the agent goes on.
  uint64_t contained_failures = 0;
  auto report_contained = [&](const char* cause, const char* what) {
    if (contained_failures++ < 10) spdlog::warn("{}: {} (reported as a lost event)", cause, what);
    stats.lost++;
    stats.lost_by_cause[cause]++;
    try {
      stats.emitted++;
      sink.on_event(builder.lost(1, cause, now_realtime_ns()));
    } catch (const std::exception& e2) {
      stats.emitted--;
      spdlog::error("the {} loss record could not be written either: {}", cause, e2.what());
    }
  };
  auto sink_event = [&](const Event& e) {
    stats.emitted++;
    try {
      sink.on_event(e);
    } catch (const std::exception& ex) {
      stats.emitted--;
      report_contained("format-error", ex.what());
    }
  };
  auto emit = [&](Event&& e) {
    if (audit && e.request) audit->on_request(e);  // before the filter: a filtered create still changes findings
    if (!filter.keep(e)) return;
    if (e.action == "send" || e.action == "reply") {
      auto r = redact_payload(e.raw.payload);
      if (r.redacted) {
        e.raw.payload = std::move(r.payload);
        e.flags.push_back("redacted");
      }
    }
    sink_event(e);
  };
  auto emit_all = [&](std::vector<Event>&& events) {
    for (auto& e : events) emit(std::move(e));
  };
  auto deliver = [&](Event&& e) {
    if (e.action == "lost") {
      stats.lost += e.lost;
      stats.lost_by_cause[e.lost_cause] += e.lost;
    }
    if (!e.is_agent_event()) {
      classify_caller(e, policy, host);
      relays.annotate(e, std::chrono::steady_clock::now());
    }
    std::vector<Event> decoded;
    if (e.action == "send") decoded = requests.on_send(e, std::chrono::steady_clock::now());
    else if (e.action == "reply") decoded = requests.on_reply(e, std::chrono::steady_clock::now());
    emit(std::move(e));
    emit_all(std::move(decoded));
  };
  auto deliver_connects = [&](std::vector<ConnectResult>&& results) {
    for (auto& r : results) deliver(builder.build(std::move(r.ev), r.success));
  };
  Capture::Handler handler = [&](RawEvent&& raw) {
    // Decoding, enrichment and classification of one record are contained
    // like formatting (see sink_event): one bad record is one lost event.
    try {
      if (raw.kind == EventKind::Connect || raw.kind == EventKind::ConnectAttempt)
        deliver_connects(correlator.feed(std::move(raw), std::chrono::steady_clock::now()));
      else
        deliver(builder.build(std::move(raw)));
    } catch (const std::exception& ex) {
      report_contained("processing-error", ex.what());
    }
  };

  // Kernel-side losses become explicit loss records, per cause.
  KernelCounters reported{};
  uint64_t correlator_overflow_reported = 0;
  uint64_t decoder_budget_reported = 0;
  FloodReader floods(capture->bpf().flood_state_fd());
  auto report_losses = [&](bool final_report = false) {
    // What flood budgets held back: one summary per process and window.
    for (auto& f : floods.poll(std::chrono::steady_clock::now(), final_report)) {
      f.who.tier = capture->tier().abi_id;
      deliver(builder.flood_suppressed(std::move(f.who), f.counts));
    }
    auto c = capture->counters();
    auto check = [&](uint64_t now, uint64_t& before, const char* cause) {
      if (now > before) deliver(builder.lost(now - before, cause, now_realtime_ns()));
      before = now;
    };
    check(c.ringbuf_drops, reported.ringbuf_drops, "ringbuf-full");
    check(c.scratch_miss, reported.scratch_miss, "task-state-unavailable");
    check(c.decode_errors, reported.decode_errors, "decode-error");
    check(c.proc_drops, reported.proc_drops, "process-records-lost");
    check(correlator.overflowed(), correlator_overflow_reported, "connect-table-full");
    // Connections whose decoding state was dropped to stay within --decoder-budget-mb.
    check(requests.stats().budget_evicted_connections, decoder_budget_reported, "decoder-budget");
    for (auto& [cause, n] : sink.take_losses()) deliver(builder.lost(n, cause, now_realtime_ns()));
    stats.kernel = c;
  };

  install_signal_handlers();
  sink.on_start(stats.tier);
  // Connections opened before the hooks were attached: snapshot them only now
  // (hooks attached, watches resolved), so none falls between the two; one
  // made meanwhile may show up as both connect and existing-connection.
  const uint64_t start_realtime_ns = now_realtime_ns();  // agent-start precedes the snapshot in time too
  std::vector<Event> existing;
  if (opts.existing_connections)
    existing = existing_connection_events(watches.resolve(), opts.proc_root,
                                          CgroupPaths{cg2.value_or(""), cgroupns.private_ns},
                                          capture->tier().abi_id, containers, builder);
  const auto started = std::chrono::steady_clock::now();
  if (opts.lifecycle_events) {
    std::vector<std::string> watched;
    for (const auto& w : watches.resolve()) watched.push_back(w.path);
    sink_event(agent_start_event(stats, std::move(watched), existing.size(), start_realtime_ns));
  }
  for (auto& e : existing) deliver(std::move(e));
  // Everything is attached and the watch maps are filled: from here on nothing is missed.
  // (Tests and scripts wait for this line rather than sleeping.)
  spdlog::info("ready: tier {}, enforcement {}", stats.tier, stats.enforcement);
  if (agent_gap) deliver(builder.agent_gap(agent_gap->previous_pid, agent_gap->last_alive_realtime_ns, now_realtime_ns()));
  if (enforcement_gap) deliver(builder.enforcement_gap(enforcement_gap->previous_pid,
                                                       enforcement_gap->last_alive_realtime_ns, now_realtime_ns()));
  auto take_audit_events = [&]() {
    if (!audit) return;
    emit_all(audit->take_events());
    auto c = audit->counters();
    stats.audit_runs = c.runs;
    stats.audit_errors = c.errors;
    stats.audit_findings = c.findings;
    stats.audit_events = c.emitted;
  };
  if (audit) audit->start();
  auto start = std::chrono::steady_clock::now();
  auto next_tick = start;
  auto next_root_scan = start + std::chrono::seconds(5);
  while (!g_stop) {
    auto now = std::chrono::steady_clock::now();
    if (opts.duration_sec > 0 && now - start >= std::chrono::duration<double>(opts.duration_sec)) break;
    capture->poll(100, handler);
    now = std::chrono::steady_clock::now();
    if (g_reload) {
      g_reload = 0;
      // SIGHUP: re-read the config file and --expected-callers, parsed whole
      // before anything is applied; a bad file keeps the running config.
      try {
        AgentOptions next = live;
        std::function<void()> apply_rest;
        if (opts.reload_config) apply_rest = opts.reload_config(next);
        validate_agent_options(next);
        CallerPolicy fresh = build_caller_policy(next);
        // Outputs first: a new one that cannot be opened throws before anything changed.
        if (apply_rest) apply_rest();
        for (const auto& key : restart_only_changes(live, next))
          spdlog::warn("config reload: {} changed, restart sockwarden to apply it", key);
        policy = std::move(fresh);
        spdlog::info("reloaded the expected-caller policy ({} rules)", policy.rules().size());
        enforcer.refresh(policy);
        if (next.sockets != live.sockets || next.no_default_sockets != live.no_default_sockets) {
          std::vector<std::string> s = next.no_default_sockets ? std::vector<std::string>{} : default_socket_specs();
          s.insert(s.end(), next.sockets.begin(), next.sockets.end());
          watches = WatchList(s, self_netns_ino(), normalize_host_root(opts.host_root, nullptr));
          spdlog::info("watching {} socket specs after reload ({} exist)", s.size(), resync());
        }
        live.sockets = next.sockets;
        live.no_default_sockets = next.no_default_sockets;
        live.expected_callers_file = next.expected_callers_file;
        live.expected_rules = next.expected_rules;
        live.no_default_rules = next.no_default_rules;
        live.expect = next.expect;
        if (audit) audit->set_interval(next.audit_interval_sec);
      } catch (const UserError& e) {
        spdlog::error("reload failed, the running config stays in force: {}", e.what());
      }
    }
    if (now >= next_tick) {
      next_tick = now + std::chrono::milliseconds(500);
      resync();
      enforcer.refresh(policy);
      if (running_marker) running_marker->touch();
      deliver_connects(correlator.expire(now));
      emit_all(requests.tick(now));
      procs.expire();
      report_losses();
      take_audit_events();
      auto rs = requests.stats();
      stats.requests = rs.requests;
      stats.replies_unseen = rs.replies_unseen;
      sink.on_tick(stats);
      if (now >= next_root_scan) {
        next_root_scan = now + std::chrono::seconds(5);
        refresh_docker_roots();
      }
    }
  }
  if (g_stop_signal)
    spdlog::info("stopping on {} from pid {}", strsignal(g_stop_signal), static_cast<int>(g_stop_sender));
  // Drain what the kernel already queued, then settle every pending attempt.
  while (capture->poll(0, handler) > 0) {
  }
  deliver_connects(correlator.flush());
  emit_all(requests.flush());
  report_losses(true);
  if (audit) audit->stop();
  take_audit_events();
  enforcer.stop();
  if (running_marker) running_marker->remove();
  auto rs = requests.stats();
  stats.requests = rs.requests;
  stats.evicted_connections = rs.evicted_connections;
  stats.expired_connections = rs.expired_connections;
  stats.replies_unseen = rs.replies_unseen;
  spdlog::info("decoded {} requests ({} without a reply status); decoder connections evicted {}, expired {}",
               rs.requests, rs.replies_unseen, rs.evicted_connections, rs.expired_connections);
  if (opts.lifecycle_events) {
    // The last event: every drained record and settled request is before it.
    double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    Event stop = agent_stop_event(stats, g_stop_signal, uptime, now_realtime_ns());
    sink_event(stop);
  }
  sink.on_exit(stats);
  return stats;
}

}  // namespace sockwarden
