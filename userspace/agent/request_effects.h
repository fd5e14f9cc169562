// The effect stage: what the daemon actually did for a request that changes
// what runs (container create/start/update, exec create/start), established
// from ground truth the caller cannot shape, and joined to the request event.
//
// The decoders read the caller's bytes, and the caller knows it: risky fields
// 16 KiB into whitespace padding, dribbled writes, keys in another case, a
// body the daemon reads differently (CVE-2024-41110). So each such request is
// held here for at most `window` (5 s) until its effect is found:
//   - create: the id from the daemon's reply (socket-tp), else the container
//     that appeared in dockerd's state on disk right after the request (its
//     config.v2.json "Created" time, its name); then hostconfig.json, judged
//     with the same vocabulary as a request body (summarize_docker_create);
//   - start/update: the container named in the path, its hostconfig.json;
//   - containerd container/task create: the OCI spec of the task's bundle;
//   - exec create/start (Docker's, and containerd's Tasks/Exec and Start of an
//     exec): the process runc started in the target container's cgroup
//     (agent/runtime_execs): command line, uid, CAP_SYS_ADMIN.
// The event keeps the decoded reading (summary, risk) and gets
// request.effect; the effect's flags join the request's risk, disagreement
// adds `effect-mismatch` (high), and the severity is recomputed. A request
// whose effect is not found in time is released with effect "unknown" and a
// reason. See docs/request-effects.md.
//
// Bounded: at most limits.max_pending requests and limits.max_bytes held; a
// flood releases the oldest at once (effect unknown, "queue-full").
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/image_effects.h"
#include "agent/plugin_effects.h"
#include "agent/runtime_execs.h"
#include "enrich/docker_effect_state.h"
#include "enrich/podman_effect_state.h"
#include "model/event.h"

namespace sockwarden {

struct EffectLimits {
  size_t max_pending = 256;
  size_t max_bytes = size_t{4} << 20;
  // How long a risky request waits for its effect. Measured: dockerd took ~1.7 s per create
  // on a loaded 2-CPU test machine (e2e.dockerd.effects) and more than 2 s at times, and a
  // load spike must not turn a hidden privileged create into "unknown"; a request whose
  // effect is found is released at once, so only never-seen effects wait this long.
  std::chrono::milliseconds window{5000};
  // Image pulls, loads and builds take seconds and write the store as they go.
  std::chrono::milliseconds image_window{15000};
};

struct EffectStats {
  uint64_t verified = 0, unknown = 0, mismatches = 0, queue_full = 0;
};

// True for the operations whose effect is looked for.
bool wants_effect(const DecodedRequest& r);

class RequestEffects {
 public:
  using Clock = std::chrono::steady_clock;
  struct Sources {
    std::function<std::vector<std::string>()> docker_roots;  // dockerd data roots, configured one first
    // podman's containers/storage container directories (podman_container_dirs of its graph root)
    std::vector<std::string> podman_dirs;
    // podman's graph roots (its image store: <root>/<driver>-images/images.json)
    std::vector<std::string> podman_graph_roots;
    // containerd state directories (running_containerd_states): task bundles
    std::function<std::vector<std::string>()> containerd_states;
    // containerd root directories (running_containerd_roots): its metadata database, whose
    // images an Images/Create or CRI PullImage is judged by
    std::function<std::vector<std::string>()> containerd_roots;
    RuntimeExecs* execs = nullptr;                           // null: exec effects stay unknown
    uint32_t state_owner = 0;                                // uid the state files must belong to
  };

  explicit RequestEffects(Sources s, EffectLimits limits = {});

  // Request events from the decoders: those that need no effect come back at
  // once, the others when resolved (now, or from later calls).
  std::vector<Event> admit(std::vector<Event>&& requests, Clock::time_point now);
  // After a runtime exec was recorded: pending exec requests it resolves.
  std::vector<Event> on_exec(Clock::time_point now);
  // Retry the pending, release the overdue with effect unknown.
  std::vector<Event> expire(Clock::time_point now);
  // At exit: everything pending, effect unknown ("agent-exit") unless found now.
  std::vector<Event> flush();

  // The caller of the latest verified create/start of this container (kept
  // for the latest 4096 containers): what an audit finding about it names.
  const AuditCause* cause_of(const std::string& container_id) const;

  size_t pending() const { return pending_.size(); }
  size_t pending_bytes() const { return bytes_; }
  const EffectStats& stats() const { return stats_; }

 private:
  struct Pending {
    Event event;
    Clock::time_point deadline;
    size_t bytes = 0;
    ImageEffects::Watch image;       // image requests: the store before it
    std::vector<std::string> named;  // image requests: what it named (image_refs_named), once
  };
  // What an exec create said, for its start (same exec id or connection).
  struct ExecCreate {
    std::string container_id;
    nlohmann::ordered_json body_command;  // null when the body did not say (unparsed)
    bool body_privileged = false;
    bool body_read = false;
    Clock::time_point at;
  };

  // True when resolved (effect set, event ready to go). retry: not the
  // first attempt (a lookup by name or id is repeated only at the last chance).
  bool try_resolve(Event& e, Clock::time_point now, bool retry, bool last_chance);
  bool try_resolve(Pending& p, Clock::time_point now, bool retry, bool last_chance);
  bool resolve_container(Event& e, Clock::time_point now, bool retry, bool last_chance);
  // The containers changed in the last few seconds, each read once: listed at
  // most every 100 ms however many creates wait (a flood costs one listing).
  const std::vector<DockerContainerRecord>& recent_containers(Clock::time_point now);
  // A container reference (id, prefix, name) -> location; cached 1 s, so
  // that a flood naming containers costs one scan per name and second.
  std::optional<DockerContainerLocation> find_container(const std::string& ref, Clock::time_point now);
  // The same through podman's containers.json (its compat API takes the same references).
  std::string find_podman(const std::string& ref, Clock::time_point now);
  // podman: the OCI spec runc got (written at the first start) -> the effect.
  // false while not found (the spec appears at the first start); the caller decides when to give up.
  bool resolve_podman(Event& e, Clock::time_point now, bool last_chance);
  // containerd: the spec of the task's bundle (Tasks/Create writes it); false while not there.
  bool resolve_containerd(Event& e, bool last_chance);
  // CRI CreateContainer: the bundle whose CRI annotations name its pod sandbox and container.
  bool resolve_cri_create(Event& e, bool last_chance);
  bool resolve_exec(Event& e, bool last_chance);
  // containerd's Tasks/Exec and Tasks/Start of an exec: the same exec records, tied by
  // namespace, container and exec id (all in the request).
  bool resolve_containerd_exec(Event& e, bool last_chance);
  // What an exec's body said (an exec create's own summary; for a start, its create's).
  static ExecCreate body_reading(const DecodedRequest& r, const ExecCreate* create, bool start);
  // The process runc started, as the effect, with what differs from the body's reading.
  static RequestEffect exec_effect(const RuntimeExec& x, const std::string& exec_id, const ExecCreate& body);
  void claim(const std::string& id);  // tie a container to one create
  void remember_exec_create(const Event& e, const std::string& container_id, Clock::time_point now);
  const ExecCreate* exec_create_for(const Event& e) const;
  void finish(Event& e);  // merge the effect into risk, mismatch, severity
  // A resolved request leaves the queue for `out`; returns the next pending entry.
  std::deque<Pending>::iterator release(std::deque<Pending>::iterator it, std::vector<Event>& out);
  void release_unknown(Event& e, const std::string& reason);
  std::vector<Event> sweep(Clock::time_point now, bool last_chance);

  Sources src_;
  EffectLimits limits_;
  ImageEffects images_;         // dockerd's image store
  ImageEffects podman_images_;  // podman's
  ImageEffects containerd_images_;  // containerd's (its metadata database, every namespace)
  // dockerd's plugin store (plugin-install requests), read from the same data roots.
  PluginEffects plugins_{src_.docker_roots, src_.state_owner};
  ImageEffects& images_for(const Event& e);
  std::deque<Pending> pending_;
  size_t bytes_ = 0;
  EffectStats stats_;
  // Containers already tied to a create (so that two creates never claim one container).
  std::deque<std::string> claimed_order_;
  std::unordered_map<std::string, bool> claimed_;
  // Exec creates by exec id (socket-tp: from the reply) and by connection.
  std::unordered_map<std::string, ExecCreate> exec_by_id_;
  std::unordered_map<uint64_t, ExecCreate> exec_by_conn_;
  std::unordered_map<uint32_t, ExecCreate> exec_by_tgid_;
  std::vector<DockerContainerRecord> recent_;
  std::optional<Clock::time_point> recent_at_;
  struct Found {
    std::optional<DockerContainerLocation> loc;
    Clock::time_point at;
  };
  std::unordered_map<std::string, Found> find_cache_;
  std::unordered_map<std::string, std::pair<std::string, Clock::time_point>> podman_cache_;
  // Container id -> the request that created or started it.
  std::unordered_map<std::string, AuditCause> causes_;
  std::deque<std::string> cause_order_;
};

}  // namespace sockwarden
