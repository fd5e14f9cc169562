#include "agent/request_effects.h"

#include <algorithm>
#include <ctime>

#include "decode/docker_api_routes.h"
#include "decode/cri_summary.h"
#include "decode/docker_create_summary.h"
#include "decode/json_ci.h"
#include "decode/risk_flags.h"
#include "decode/severity.h"
#include "enrich/containerd_effect_state.h"
#include "enrich/docker_effect_state.h"

namespace sockwarden {
namespace {

const std::string& op_of(const Event& e) { return e.request->operation; }

size_t estimate_bytes(const Event& e) {
  size_t n = sizeof(Event) + e.cgroup_path.size() + e.socket_path.size() + e.process->executable.size() +
             e.process->command_line.size() + e.process->name.size() + e.process->ancestors.size() * 96;
  for (const auto& a : e.process->args) n += a.size() + 32;
  for (const auto& f : e.flags) n += f.size() + 32;
  if (e.container) n += 512 + e.container->name.size() + e.container->image.size();
  if (e.request) {
    const auto& r = *e.request;
    n += r.target.size() + r.query.size() + r.user_agent.size() + r.path.size() + r.reply_id.size();
    n += r.summary.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace).size() * 2;
    for (const auto& f : r.risk) n += f.name.size() + f.detail.size() + 64;
    for (const auto& a : r.anomalies) n += a.size() + 32;
  }
  return n;
}

// The daemon said no (status >= 400): nothing was created or run, and that is the effect.
bool refused(DecodedRequest& r) {
  if (!r.status_code || *r.status_code < 400) return false;
  r.effect = RequestEffect::unknown("refused");
  return true;
}

// What a held image request keeps beside its event: the names it gave, the changes its last
// look saw (a load of many images can hold thousands).
size_t image_bytes(const std::vector<std::string>& named, const ImageEffects::Watch& w) {
  size_t n = 0;
  for (const auto& s : named) n += s.size() + 32;
  for (const auto& c : w.last) n += c.ref.size() + c.image_id.size() + c.previous.size() + 96;
  return n;
}

// An exec's command as the body gave it, compared with the argv runc ran.
bool same_command(const nlohmann::ordered_json& body, const RuntimeExec& x) {
  if (body.is_array()) {
    std::vector<std::string> v;
    for (const auto& a : body) {
      if (!a.is_string()) return false;
      v.push_back(a.get<std::string>());
    }
    if (x.args_truncated) {  // the kernel record holds the first 1 KiB of argv
      if (v.size() < x.args.size()) return false;
      for (size_t i = 0; i + 1 < x.args.size(); i++)
        if (v[i] != x.args[i]) return false;
      return x.args.empty() || v[x.args.size() - 1].rfind(x.args.back(), 0) == 0;
    }
    return v == x.args;
  }
  if (body.is_string()) return body.get<std::string>() == join_args(x.args);
  return false;
}

// What the daemon did that the decoded body did not say: each effect flag of
// level medium or more the body did not carry. Runtimes store what privileged
// implies (SecurityOpt label=disable, every capability and device): a body that
// asked for privileged asked for those too, and a privileged effect the body did
// not ask for is one mismatch, "privileged", not one per capability and device.
std::vector<std::string> body_mismatches(const DecodedRequest& r, const std::vector<RiskFlag>& effect_risk) {
  std::vector<std::string> out;
  const bool body_privileged =
      r.has_risk(risk::kPrivileged) ||
      std::any_of(effect_risk.begin(), effect_risk.end(), [](const RiskFlag& f) { return f.name == risk::kPrivileged; });
  for (const auto& f : effect_risk) {
    if (risk_flag_level(f) < Severity::Medium) continue;
    if (std::find(r.risk.begin(), r.risk.end(), f) != r.risk.end()) continue;
    if (body_privileged && (f.name == risk::kSecurityUnconfined || f.name == risk::kCapAdd || f.name == risk::kDevice))
      continue;
    out.push_back(f.detail.empty() ? f.name : f.name + ":" + f.detail);
  }
  return out;
}

// The parts of an effect both state readers (dockerd's HostConfig, an OCI spec) take from the
// decoder's reading of that state: its flags, privilege, host mounts, capabilities, devices.
void take_reading(RequestEffect& eff, const DecodedRequest& scratch) {
  eff.risk = scratch.risk;
  eff.privileged = scratch.has_risk(risk::kPrivileged);
  for (const auto& f : scratch.risk)
    if (f.name == risk::kHostMount) eff.host_mounts.push_back(f.detail);
  if (auto it = scratch.summary.find("cap_add"); it != scratch.summary.end())
    for (const auto& c : *it)
      if (c.is_string()) eff.capabilities.push_back(c.get<std::string>());
  if (auto it = scratch.summary.find("devices"); it != scratch.summary.end())
    for (const auto& d : *it)
      if (d.is_string()) eff.devices.push_back(d.get<std::string>());
}

// An OCI runtime spec (podman's, containerd's bundle) as an effect, judged by
// the same reader as a containerd create's spec (summarize_oci_spec).
RequestEffect effect_from_oci_spec(const Json& spec, const char* source, const std::string& id) {
  DecodedRequest scratch;
  summarize_oci_spec(scratch, spec);
  RequestEffect eff;
  eff.status = "verified";
  eff.source = source;
  eff.container = true;
  eff.container_id = id;
  take_reading(eff, scratch);
  for (const auto& f : scratch.risk)
    if (f.name == risk::kSecurityUnconfined) eff.security_options.push_back(f.detail);
  for (auto [flag, ns] : {std::pair{risk::kHostPid, "pid"}, {risk::kHostNetwork, "network"}, {risk::kHostIpc, "ipc"},
                          {risk::kHostUts, "uts"}})
    if (scratch.has_risk(flag)) eff.namespaces.emplace_back(ns, "host");
  return eff;
}

// containerd's exec requests (its own gRPC API, and CRI's ExecSync/Exec, which the CRI plugin runs
// through the same shim in namespace k8s.io): judged like Docker's exec create and start, by the
// kernel's exec record of the process runc started, not by a bundle spec.
bool is_containerd_exec_op(const std::string& op) {
  return op == "containerd-task-exec" || op == "containerd-exec-start" || op == "cri-exec";
}

bool is_exec_op(const std::string& op) {
  return op == "exec-create" || op == "exec-start" || is_containerd_exec_op(op);
}

// What an exec create/start's exec id is remembered under. containerd's are the client's
// choice and repeat across containers and namespaces; Docker's are 64 random hex digits and
// need no qualifier (a containerd key cannot collide with one: it has slashes).
std::string containerd_exec_key(const std::string& ns, const std::string& container, const std::string& exec_id) {
  return "containerd/" + ns + "/" + container + "/" + exec_id;
}

bool is_containerd_op(const std::string& op) {
  return op == "containerd-container-create" || op == "containerd-task-create" || op == "cri-create-container" ||
         op == "cri-start-container";
}

// Realtime bounds for what a nameless create made: from `before_ns` before the request (clock
// slack; the caller decides how much) to the effect window after it, plus a second.
std::pair<uint64_t, uint64_t> created_window(const Event& e, uint64_t before_ns, std::chrono::milliseconds window) {
  const uint64_t since = e.realtime_ns > before_ns ? e.realtime_ns - before_ns : 0;
  const uint64_t until = e.realtime_ns + static_cast<uint64_t>(window.count()) * 1'000'000ull + 1'000'000'000ull;
  return {since, until};
}

// The value of a bundle spec's annotation, or "".
std::string annotation(const Json& spec, const char* key) {
  const Json* a = json_member(spec, "annotations");
  const Json* v = a ? json_member(*a, key) : nullptr;
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

bool wants_effect(const DecodedRequest& r) {
  if (r.protocol == "http/2")
    return is_containerd_op(r.operation) || is_containerd_exec_op(r.operation) || is_containerd_image_op(r.operation);
  if (r.protocol != "http/1.1" && r.protocol != "http/1.0") return false;
  const std::string& op = r.operation;
  return is_image_op(op) || op == "container-create" || op == "container-start" || op == "container-update" || op == "exec-create" ||
         op == "exec-start" || op == "plugin-install";
}

// A podman request: a libpod route, or a compat route on podman's socket.
static bool is_podman_request(const Event& e) {
  return e.request->path.rfind("/libpod/", 0) == 0 || e.socket_path.find("podman") != std::string::npos;
}

// Whose image store judges an image request.
static ImageStore store_of(const Event& e) {
  if (is_containerd_image_op(e.request->operation)) return ImageStore::Containerd;
  return is_podman_request(e) ? ImageStore::Podman : ImageStore::Docker;
}

RequestEffects::RequestEffects(Sources s, EffectLimits limits)
    : src_(std::move(s)),
      limits_(limits),
      images_(src_.docker_roots, src_.state_owner),
      podman_images_([roots = src_.podman_graph_roots] { return roots; }, src_.state_owner, ImageStore::Podman),
      containerd_images_(src_.containerd_roots, src_.state_owner, ImageStore::Containerd) {
  // The image stores' baselines predate every request: a tag's reply, and so its event, comes
  // after the daemon moved the reference.
  images_.watch(Clock::now());
  podman_images_.watch(Clock::now());
  containerd_images_.watch(Clock::now());
}

ImageEffects& RequestEffects::images_for(const Event& e) {
  switch (store_of(e)) {
    case ImageStore::Podman: return podman_images_;
    case ImageStore::Containerd: return containerd_images_;
    case ImageStore::Docker: break;
  }
  return images_;
}

std::vector<Event> RequestEffects::admit(std::vector<Event>&& requests, Clock::time_point now) {
  std::vector<Event> out;
  for (auto& e : requests) {
    if (!e.request || !wants_effect(*e.request)) {
      out.push_back(std::move(e));
      continue;
    }
    // The captured body served the decoders; it is never output, and holding
    // it for the window would multiply the memory a flood of creates costs.
    std::string().swap(e.request->body);
    if (op_of(e) == "exec-create") {
      std::string container;
      std::string ref = e.request->summary_string("container");
      if (src_.docker_roots && !ref.empty()) {
        if (auto loc = find_container(ref, now)) container = loc->id;  // dockerd's state first,
        else container = find_podman(ref, now);                         // then podman's
      }
      remember_exec_create(e, container, now);
    } else if (op_of(e) == "containerd-task-exec") {
      // Its start (on this connection, or naming the same exec) is judged against what it said.
      // A container id containerd would refuse is kept as none (and bounds what is kept).
      std::string container = e.request->summary_string("container");
      if (!is_containerd_identifier(container)) container.clear();
      remember_exec_create(e, container, now);
    }
    const bool image = is_image_op(op_of(e));
    Pending p{std::move(e), now + (image ? limits_.image_window : limits_.window), 0, {}, {}};
    if (image) {
      p.image = images_for(p.event).watch(now);
      p.named = image_refs_named(*p.event.request, store_of(p.event));
    }
    if (try_resolve(p, now, false, false)) {
      finish(p.event);
      out.push_back(std::move(p.event));
      continue;
    }
    size_t b = estimate_bytes(p.event) + image_bytes(p.named, p.image);
    while (!pending_.empty() && (pending_.size() >= limits_.max_pending || bytes_ + b > limits_.max_bytes)) {
      Pending old = std::move(pending_.front());
      pending_.pop_front();
      bytes_ -= old.bytes;
      stats_.queue_full++;
      release_unknown(old.event, "queue-full");
      out.push_back(std::move(old.event));
    }
    if (b > limits_.max_bytes || limits_.max_pending == 0) {
      stats_.queue_full++;
      release_unknown(p.event, "queue-full");
      out.push_back(std::move(p.event));
      continue;
    }
    bytes_ += b;
    p.bytes = b;
    pending_.push_back(std::move(p));
  }
  return out;
}

std::deque<RequestEffects::Pending>::iterator RequestEffects::release(std::deque<Pending>::iterator it,
                                                                   std::vector<Event>& out) {
  finish(it->event);
  bytes_ -= it->bytes;
  out.push_back(std::move(it->event));
  return pending_.erase(it);
}

std::vector<Event> RequestEffects::on_exec(Clock::time_point now) {
  std::vector<Event> out;
  // Twice: an exec start resolved in the first pass may name the exec id that an earlier
  // exec create (no reply seen) waits for (RuntimeExecs::learn_exec_id).
  for (int pass = 0; pass < 2; pass++) {
    for (auto it = pending_.begin(); it != pending_.end();) {
      const std::string& op = op_of(it->event);
      // A runtime exec is also a container's first process: its task's bundle exists now
      // (and a short-lived container's may be gone by the next tick).
      if ((is_exec_op(op) || is_containerd_op(op)) &&
          try_resolve(it->event, now, true, false))
        it = release(it, out);
      else
        ++it;
    }
  }
  return out;
}

std::vector<Event> RequestEffects::sweep(Clock::time_point now, bool last_chance_all) {
  std::vector<Event> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    bool last = last_chance_all || now >= it->deadline;
    if (try_resolve(*it, now, true, last)) {
      it = release(it, out);
      continue;
    }
    if (is_image_op(op_of(it->event))) {
      // Its last look may have grown: keep the byte bound, releasing this one if it no longer fits.
      const size_t b = estimate_bytes(it->event) + image_bytes(it->named, it->image);
      bytes_ = bytes_ - it->bytes + b;
      it->bytes = b;
      if (bytes_ > limits_.max_bytes) {
        stats_.queue_full++;
        release_unknown(it->event, "queue-full");
        bytes_ -= it->bytes;
        out.push_back(std::move(it->event));
        it = pending_.erase(it);
        continue;
      }
    }
    ++it;
  }
  // Exec creates not followed by a start within a while are forgotten.
  for (auto m = exec_by_id_.begin(); m != exec_by_id_.end();)
    m = now - m->second.at > std::chrono::seconds(30) ? exec_by_id_.erase(m) : std::next(m);
  for (auto m = exec_by_conn_.begin(); m != exec_by_conn_.end();)
    m = now - m->second.at > std::chrono::seconds(30) ? exec_by_conn_.erase(m) : std::next(m);
  for (auto m = exec_by_tgid_.begin(); m != exec_by_tgid_.end();)
    m = now - m->second.at > std::chrono::seconds(30) ? exec_by_tgid_.erase(m) : std::next(m);
  return out;
}

std::vector<Event> RequestEffects::expire(Clock::time_point now) { return sweep(now, false); }

std::vector<Event> RequestEffects::flush() {
  std::vector<Event> out = sweep(Clock::now(), false);
  for (auto& p : pending_) {
    release_unknown(p.event, "agent-exit");
    out.push_back(std::move(p.event));
  }
  pending_.clear();
  bytes_ = 0;
  return out;
}

void RequestEffects::remember_exec_create(const Event& e, const std::string& container_id, Clock::time_point now) {
  const DecodedRequest& r = *e.request;
  ExecCreate c;
  c.container_id = container_id;
  auto cmd = r.summary.find("command");
  c.body_read = cmd != r.summary.end() && !r.unparsed_body;
  if (c.body_read) c.body_command = *cmd;
  auto priv = r.summary.find("privileged");
  c.body_privileged = priv != r.summary.end() && priv->is_boolean() && priv->get<bool>();
  c.at = now;
  // Both maps are bounded: a flood of exec creates keeps the latest 4096.
  constexpr size_t kMax = 4096;
  if (exec_by_id_.size() >= kMax) exec_by_id_.clear();
  if (exec_by_conn_.size() >= kMax) exec_by_conn_.clear();
  if (exec_by_tgid_.size() >= kMax) exec_by_tgid_.clear();
  if (r.operation == "containerd-task-exec") {
    // Keys only from ids containerd would accept (at most 76 characters each): the map's memory
    // stays bounded by its entry count, whatever the caller sent. "" when the cap cut it off.
    const std::string exec_id = r.summary_string("exec_id");
    if (is_containerd_identifier(exec_id) && is_containerd_identifier(container_id) &&
        is_containerd_identifier(r.containerd_namespace))
      exec_by_id_[containerd_exec_key(r.containerd_namespace, container_id, exec_id)] = c;
  } else if (!r.reply_id.empty()) {
    exec_by_id_[r.reply_id] = c;
  }
  if (e.raw.tgid) exec_by_tgid_[e.raw.tgid] = c;
  if (e.raw.client_sock_ino) exec_by_conn_[e.raw.client_sock_ino] = std::move(c);
}

const RequestEffects::ExecCreate* RequestEffects::exec_create_for(const Event& e) const {
  const DecodedRequest& r = *e.request;
  std::string id = op_of(e) == "exec-start" ? r.summary_string("exec_id") : r.reply_id;
  if (op_of(e) == "containerd-exec-start")
    id = containerd_exec_key(r.containerd_namespace, r.summary_string("container"), r.summary_string("exec_id"));
  if (!id.empty())
    if (auto it = exec_by_id_.find(id); it != exec_by_id_.end()) return &it->second;
  // Without the daemon's reply (syscall-tp) the exec id of a create is not
  // known: the Docker CLI creates and starts an exec on one connection.
  if (auto it = exec_by_conn_.find(e.raw.client_sock_ino); it != exec_by_conn_.end()) return &it->second;
  // Or by the same process on a new connection; podman's runc gets no exec id
  // in its arguments, so this is what ties such a start to its container.
  if (auto it = exec_by_tgid_.find(e.raw.tgid); it != exec_by_tgid_.end()) return &it->second;
  return nullptr;
}

bool RequestEffects::try_resolve(Pending& p, Clock::time_point now, bool retry, bool last_chance) {
  DecodedRequest& r = *p.event.request;
  if (!is_image_op(r.operation) || refused(r)) return try_resolve(p.event, now, retry, last_chance);
  // What the other image requests held for the same store named (theirs to take).
  const ImageStore store = store_of(p.event);
  std::vector<std::string> others;
  bool other_load = false;
  for (const auto& q : pending_)
    if (&q != &p && is_image_op(q.event.request->operation) && store_of(q.event) == store) {
      other_load |= q.event.request->operation == "image-load";
      others.insert(others.end(), q.named.begin(), q.named.end());
    }
  return images_for(p.event).resolve(r, p.image, now, last_chance, others, other_load);
}

bool RequestEffects::try_resolve(Event& e, Clock::time_point now, bool retry, bool last_chance) {
  DecodedRequest& r = *e.request;
  if (refused(r)) return true;
  const std::string& op = r.operation;
  if (op == "exec-create" || op == "exec-start") return resolve_exec(e, last_chance);
  if (is_containerd_exec_op(op)) return resolve_containerd_exec(e, last_chance);
  if (is_containerd_op(op)) return resolve_containerd(e, last_chance);
  if (op == "plugin-install") return plugins_.resolve(e, now, last_chance);  // agent/plugin_effects
  return resolve_container(e, now, retry, last_chance);
}

const std::vector<DockerContainerRecord>& RequestEffects::recent_containers(Clock::time_point now) {
  if (recent_at_ && now - *recent_at_ < std::chrono::milliseconds(100) && now >= *recent_at_) return recent_;
  recent_at_ = now;
  recent_.clear();
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t wall = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  // Back far enough for the oldest request still held (window) plus slack.
  const uint64_t span = static_cast<uint64_t>(limits_.window.count()) * 1'000'000ull + 3'000'000'000ull;
  const uint64_t since = wall > span ? wall - span : 0;
  for (const auto& root : src_.docker_roots ? src_.docker_roots() : std::vector<std::string>{})
    for (const auto& id : docker_changed_container_ids(root, since))
      if (auto c = read_docker_container(root, id, src_.state_owner)) recent_.push_back(std::move(*c));
  return recent_;
}

std::optional<DockerContainerLocation> RequestEffects::find_container(const std::string& ref, Clock::time_point now) {
  auto it = find_cache_.find(ref);
  if (it != find_cache_.end() && now - it->second.at < std::chrono::seconds(1) && now >= it->second.at)
    return it->second.loc;
  if (find_cache_.size() >= 1024) find_cache_.clear();
  auto loc = src_.docker_roots ? docker_find_container(src_.docker_roots(), ref, src_.state_owner) : std::nullopt;
  find_cache_[ref] = Found{loc, now};
  return loc;
}

bool RequestEffects::resolve_container(Event& e, Clock::time_point now, bool retry, bool last_chance) {
  DecodedRequest& r = *e.request;
  const std::string& op = r.operation;
  std::vector<std::string> roots = src_.docker_roots ? src_.docker_roots() : std::vector<std::string>{};
  std::optional<DockerContainerRecord> rec;
  if (op == "container-create") {
    if (!r.reply_id.empty()) {
      for (const auto& root : roots)
        if ((rec = read_docker_container(root, r.reply_id, src_.state_owner))) break;
    } else {
      // No reply id (syscall-tp, or the reply was not captured): the
      // container the daemon created right after this request. Its
      // "Created" time is the daemon's clock, the request's ours: same host.
      const std::string name = query_param(r.query, "name");
      const auto [since, until] = created_window(e, 1'000'000'000ull, limits_.window);
      std::vector<DockerContainerRecord> found;
      for (const auto& c : recent_containers(now)) {
        if (claimed_.count(c.id) || c.created_ns < since || c.created_ns > until) continue;
        if (!name.empty() && c.name != "/" + name) continue;
        found.push_back(c);
      }
      if (found.size() == 1) {
        rec = std::move(found[0]);
      } else if (found.size() > 1) {
        if (!last_chance) return false;  // another may be claimed meanwhile
        r.effect = RequestEffect::unknown("ambiguous");  // several containers appeared and nothing says which is this one
        return true;
      }
    }
  } else {
    // start/update name an existing container: its state is there before
    // the request, so it is looked up when the request arrives and, if not
    // found then, once more at the end of the window (not on every tick).
    if (retry && !last_chance) return false;
    std::string ref = path_object(r.path);
    if (auto loc = find_container(ref, now)) rec = read_docker_container(loc->root, loc->id, src_.state_owner);
  }
  if (!rec && !src_.podman_dirs.empty() && resolve_podman(e, now, last_chance)) return true;
  if (!rec) {
    if (!last_chance) return false;
    r.effect = RequestEffect::unknown(roots.empty() && src_.podman_dirs.empty() ? "no-runtime-state" : "not-found");
    return true;
  }

  // hostconfig.json is moby's HostConfig as the daemon stored it: judged with
  // the same reader as a request body, so both readings use one vocabulary.
  RequestEffect eff;
  eff.status = "verified";
  eff.source = "docker-state";
  eff.container = true;
  eff.container_id = rec->id;
  Json hc = Json::parse(rec->hostconfig, nullptr, false);
  DecodedRequest scratch;
  scratch.path = "/containers/create";
  Json body = Json::object();
  body["HostConfig"] = hc;
  summarize_docker_create(scratch, body);
  take_reading(eff, scratch);
  for (auto [key, ns] : {std::pair{"PidMode", "pid"}, {"NetworkMode", "network"}, {"IpcMode", "ipc"},
                         {"UTSMode", "uts"}, {"UsernsMode", "user"}, {"CgroupnsMode", "cgroup"}})
    if (const Json* v = json_member(hc, key); v && v->is_string() && !v->get<std::string>().empty())
      eff.namespaces.emplace_back(ns, v->get<std::string>());
  for (const auto& o : json_strings(hc, "SecurityOpt")) eff.security_options.push_back(o);

  if (op == "container-create") {
    eff.mismatch = body_mismatches(r, eff.risk);
    claim(rec->id);
  }
  r.effect = std::move(eff);
  return true;
}

std::string RequestEffects::find_podman(const std::string& ref, Clock::time_point now) {
  if (src_.podman_dirs.empty()) return {};
  auto it = podman_cache_.find(ref);
  if (it != podman_cache_.end() && now - it->second.second < std::chrono::seconds(1) && now >= it->second.second)
    return it->second.first;
  if (podman_cache_.size() >= 1024) podman_cache_.clear();
  std::string id = podman_find_container(src_.podman_dirs, ref, src_.state_owner).value_or("");
  podman_cache_[ref] = {id, now};
  return id;
}

bool RequestEffects::resolve_podman(Event& e, Clock::time_point now, bool last_chance) {
  DecodedRequest& r = *e.request;
  const bool create = r.operation == "container-create";
  std::string id;
  if (create) {
    id = r.reply_id;
    const std::string name = query_param(r.query, "name");
    if (id.empty() && !name.empty()) id = find_podman(name, now);
    if (id.empty() && name.empty()) {
      // No reply and no name in the URL (libpod names a container in its body, which may be
      // unread): the container podman recorded as created right after this request, as for
      // dockerd. Its "created" is podman's clock, the request's ours: same host. The lower bound
      // is tight (100 ms): a container made before this request was sent is another request's,
      // and while this one's does not exist yet it would be the only candidate (seen: a libpod
      // create took the compat create's container podman had just made and started).
      const auto [since, until] = created_window(e, 100'000'000ull, limits_.window);
      std::vector<std::string> found;
      for (auto& c : podman_created_between(src_.podman_dirs, since, until, src_.state_owner))
        if (!claimed_.count(c)) found.push_back(std::move(c));
      if (found.size() > 1) {
        if (!last_chance) return false;  // another request may claim one meanwhile
        r.effect = RequestEffect::unknown("ambiguous");
        return true;
      }
      if (found.size() == 1) id = std::move(found[0]);
    }
    if (!id.empty() && claimed_.count(id)) return false;
  } else {
    id = find_podman(path_object(r.path), now);
  }
  if (id.empty()) return false;
  // The spec runc got (written at the first start); for a create, until then, the spec podman
  // stored at the create in its database (podman-db). A start keeps waiting for runc's.
  const char* source = "podman-spec";
  auto spec = read_podman_spec(src_.podman_dirs, id, src_.state_owner);
  if (!spec && create) {
    spec = read_podman_db_spec(src_.podman_graph_roots, id, src_.state_owner);
    source = "podman-db";
  }
  if (!spec) return false;
  RequestEffect eff =
      effect_from_oci_spec(Json::parse(podman_spec_without_own_mounts(spec->spec, id), nullptr, false), source, id);
  if (create) {
    eff.mismatch = body_mismatches(r, eff.risk);
    claim(id);
  }
  r.effect = std::move(eff);
  return true;
}

void RequestEffects::claim(const std::string& id) {
  if (claimed_.emplace(id, true).second) claimed_order_.push_back(id);
  while (claimed_order_.size() > 4096) {
    claimed_.erase(claimed_order_.front());
    claimed_order_.pop_front();
  }
}

bool RequestEffects::resolve_containerd(Event& e, bool last_chance) {
  DecodedRequest& r = *e.request;
  // Both name their container in the request (Containers/Create in the spec's
  // Container message, Tasks/Create in its first field) and their namespace in
  // the gRPC header; an id the decoder could not read (a cut message) names nothing.
  const bool cri = r.operation.rfind("cri-", 0) == 0;
  // The CRI plugin keeps its containers in one containerd namespace; its requests carry no header.
  const std::string ns = cri ? kCriNamespace : r.containerd_namespace;
  if (r.operation == "cri-create-container") return resolve_cri_create(e, last_chance);
  const std::string id = r.summary_string("container");
  if (!is_containerd_identifier(id) || !is_containerd_identifier(ns)) {
    r.effect = RequestEffect::unknown("target-unknown");
    return true;
  }
  if (!src_.containerd_states) {
    r.effect = RequestEffect::unknown("no-runtime-state");
    return true;
  }
  // The bundle exists from the task's creation (before Tasks/Create answers)
  // until the task is deleted; a container created but not started within the
  // window has none.
  auto bundle = read_containerd_bundle(src_.containerd_states(), ns, id, src_.state_owner);
  const char* source = "containerd-bundle";
  // A container create that got no task within the window: the spec containerd stored at the
  // create, from its metadata database (the bundle, what runc got, is preferred while it may come).
  if (!bundle && last_chance && r.operation == "containerd-container-create" && src_.containerd_roots) {
    bundle = read_containerd_metadata_spec(src_.containerd_roots(), ns, id, src_.state_owner);
    source = "containerd-metadata";
  }
  if (!bundle) {
    if (!last_chance) return false;
    RequestEffect eff = RequestEffect::unknown("not-found");
    eff.container_id = id;
    r.effect = std::move(eff);
    return true;
  }
  RequestEffect eff =
      effect_from_oci_spec(Json::parse(containerd_spec_as_run(bundle->spec), nullptr, false), source, id);
  // A create's body carried a spec: what runc got that it did not say is a
  // mismatch. A task create carries none: its effect is the whole reading.
  if (r.operation == "containerd-container-create") eff.mismatch = body_mismatches(r, eff.risk);
  r.effect = std::move(eff);
  return true;
}

bool RequestEffects::resolve_cri_create(Event& e, bool last_chance) {
  DecodedRequest& r = *e.request;
  // CreateContainer's reply names the id; the request names the pod sandbox and the container's
  // name, which the CRI plugin writes into the bundle's annotations at StartContainer (kubelet
  // starts a container right after creating it).
  const std::string sandbox = r.summary_string("pod_sandbox_id");
  const std::string name = r.summary_string("name");
  if (sandbox.empty() || name.empty()) {
    r.effect = RequestEffect::unknown("target-unknown");
    return true;
  }
  if (!src_.containerd_states) {
    r.effect = RequestEffect::unknown("no-runtime-state");
    return true;
  }
  const uint64_t since = e.realtime_ns > 1'000'000'000ull ? e.realtime_ns - 1'000'000'000ull : 0;
  std::vector<ContainerdBundle> found;
  for (auto& b : recent_containerd_bundles(src_.containerd_states(), kCriNamespace, since, src_.state_owner)) {
    if (claimed_.count(b.id)) continue;
    Json spec = Json::parse(b.spec, nullptr, false);
    if (annotation(spec, "io.kubernetes.cri.sandbox-id") == sandbox &&
        annotation(spec, "io.kubernetes.cri.container-name") == name &&
        annotation(spec, "io.kubernetes.cri.container-type") == "container")
      found.push_back(std::move(b));
  }
  if (found.size() != 1) {
    if (!last_chance) return false;
    // A re-created container of the same name in the same pod within the window is ambiguous.
    r.effect = RequestEffect::unknown(found.empty() ? "not-found" : "ambiguous");
    return true;
  }
  RequestEffect eff = effect_from_oci_spec(Json::parse(containerd_spec_as_run(found[0].spec), nullptr, false),
                                           "containerd-bundle", found[0].id);
  eff.mismatch = body_mismatches(r, eff.risk);
  claim(found[0].id);
  r.effect = std::move(eff);
  return true;
}

bool RequestEffects::resolve_exec(Event& e, bool last_chance) {
  DecodedRequest& r = *e.request;
  const bool start = r.operation == "exec-start";
  const ExecCreate* ec = exec_create_for(e);
  std::string exec_id = start ? r.summary_string("exec_id") : r.reply_id;
  std::string container = ec ? ec->container_id : std::string();
  if (!src_.execs) {
    r.effect = RequestEffect::unknown("no-exec-records");
    return true;
  }
  // The exec starts after this request's first byte was written.
  const RuntimeExec* x = src_.execs->find(exec_id, container, e.raw.ts_boot_ns);
  if (!x) {
    if (!last_chance) return false;
    RequestEffect eff = RequestEffect::unknown(exec_id.empty() && container.empty() ? "target-unknown" : "no-exec-seen");
    eff.exec_id = exec_id;
    eff.container_id = container;
    r.effect = std::move(eff);
    return true;
  }
  // Without the daemon's reply (syscall-tp) an exec create learns its exec id from the record,
  // and the record from the exec start that names it: wait for that start (it follows within
  // milliseconds), up to the window.
  if (start && !exec_id.empty() && x->exec_id.empty()) src_.execs->learn_exec_id(x->pid, exec_id);
  if (!start && exec_id.empty() && x->exec_id.empty() && !last_chance) return false;
  r.effect = exec_effect(*x, exec_id, body_reading(r, start ? ec : nullptr, start));
  return true;
}

RequestEffects::ExecCreate RequestEffects::body_reading(const DecodedRequest& r, const ExecCreate* create, bool start) {
  // The body's reading: the create's own summary, or (for a start) the create's.
  ExecCreate b;
  if (!start) {
    if (auto it = r.summary.find("command"); it != r.summary.end() && !r.unparsed_body) b.body_command = *it;
    auto p = r.summary.find("privileged");
    b.body_privileged = p != r.summary.end() && p->is_boolean() && p->get<bool>();
  } else if (create) {
    b = *create;
  }
  return b;
}

RequestEffect RequestEffects::exec_effect(const RuntimeExec& x, const std::string& exec_id, const ExecCreate& body) {
  RequestEffect eff;
  eff.status = "verified";
  eff.source = "exec-record";
  eff.exec = true;
  eff.container_id = x.container_id;
  eff.exec_id = exec_id.empty() ? x.exec_id : exec_id;
  eff.command = x.args;
  eff.pid = x.pid;
  eff.uid = x.uid;
  eff.euid = x.euid;
  eff.cap_effective = x.cap_effective;
  eff.exec_privileged = x.sys_admin;
  eff.risk.push_back(RiskFlag{risk::kExec, ""});
  if (x.sys_admin) eff.risk.push_back(RiskFlag{risk::kPrivileged, ""});
  if (!same_command(body.body_command, x))
    eff.mismatch.push_back(body.body_command.is_null() ? "unread-command" : "command");
  if (x.sys_admin && !body.body_privileged) eff.mismatch.push_back(risk::kPrivileged);
  return eff;
}

bool RequestEffects::resolve_containerd_exec(Event& e, bool last_chance) {
  DecodedRequest& r = *e.request;
  const bool start = r.operation == "containerd-exec-start";
  // CRI's ExecSync/Exec name only the container (namespace k8s.io): the CRI plugin picks a random
  // exec id, so the exec is the first one runc starts in that container after the request. Under
  // kubelet's exec probes that may be another exec of the same moment (docs/known-gaps.md).
  const bool cri = r.operation == "cri-exec";
  // Both name the container and the namespace (gRPC header); the exec id is in both, unless the
  // payload cap cut an Exec before it (its spec comes first): that one is tied by container and
  // time alone. Checked against containerd's identifier rule: ids containerd refused name nothing.
  const std::string ns = cri ? std::string(kCriNamespace) : r.containerd_namespace;
  const std::string container = r.summary_string("container");
  const std::string exec_id = r.summary_string("exec_id");
  if (!is_containerd_identifier(ns) || !is_containerd_identifier(container) ||
      (!exec_id.empty() && !is_containerd_identifier(exec_id))) {
    r.effect = RequestEffect::unknown("target-unknown");
    return true;
  }
  if (!src_.execs) {
    r.effect = RequestEffect::unknown("no-exec-records");
    return true;
  }
  // runc starts the process at Tasks/Start, after both requests' first bytes were written.
  const RuntimeExec* x = src_.execs->find_containerd(ns, container, exec_id, e.raw.ts_boot_ns);
  if (!x) {
    if (!last_chance) return false;
    RequestEffect eff = RequestEffect::unknown("no-exec-seen");
    eff.exec_id = exec_id;
    eff.container_id = container;
    r.effect = std::move(eff);
    return true;
  }
  // runc exited before its process called execve (the record names the shim as parent, no exec
  // id): the start, which names the exec exactly, teaches the record its id.
  if (!exec_id.empty() && x->exec_id.empty()) src_.execs->learn_exec_id(x->pid, exec_id);
  // An Exec that could not say its exec id, and a record that does not know it either: the
  // start (next in the queue, or soon) names it, which ties the two exactly; up to the window.
  if (!start && exec_id.empty() && x->exec_id.empty() && !last_chance) return false;
  // A start is judged against its Exec's body: the one naming the same exec, else the latest on
  // this connection or of this process, if it was for the same container.
  const ExecCreate* create = start ? exec_create_for(e) : nullptr;
  if (create && create->container_id != container) create = nullptr;
  ExecCreate body = body_reading(r, create, start);
  // A CRI exec cannot ask for privilege: it inherits the container's, which its create was
  // judged by. The effect still says privileged (flags, severity); it is no disagreement.
  if (cri) body.body_privileged = x->sys_admin;
  r.effect = exec_effect(*x, exec_id, body);
  return true;
}

const AuditCause* RequestEffects::cause_of(const std::string& container_id) const {
  auto it = causes_.find(container_id);
  return it == causes_.end() ? nullptr : &it->second;
}

void RequestEffects::release_unknown(Event& e, const std::string& reason) {
  e.request->effect = RequestEffect::unknown(reason);
  finish(e);
}

void RequestEffects::finish(Event& e) {
  DecodedRequest& r = *e.request;
  if (!r.effect) return;
  RequestEffect& eff = *r.effect;
  if (eff.status != "verified") {
    stats_.unknown++;
    return;
  }
  stats_.verified++;
  if (eff.container && !eff.container_id.empty() && (r.operation == "container-create" || r.operation == "container-start")) {
    AuditCause c;
    c.operation = r.operation;
    c.request_realtime_ns = e.realtime_ns;
    c.pid = e.raw.tgid;
    c.process_name = process_name(e);
    c.executable = e.process->executable;
    c.command_line = e.process->command_line;
    if (e.container) {
      c.container_id = e.container->ref.id;
      c.container_name = e.container->name;
    }
    c.connection = e.raw.client_sock_ino;
    if (causes_.find(eff.container_id) == causes_.end()) cause_order_.push_back(eff.container_id);
    // A start after a create keeps the create's caller: who made it privileged.
    if (r.operation == "container-create" || !causes_.count(eff.container_id)) causes_[eff.container_id] = std::move(c);
    while (cause_order_.size() > 4096) {
      causes_.erase(cause_order_.front());
      cause_order_.pop_front();
    }
  }
  for (const auto& f : eff.risk) r.add_risk(f.name, f.detail);
  for (const auto& m : eff.mismatch) r.add_risk(risk::kEffectMismatch, m);
  if (!eff.mismatch.empty()) stats_.mismatches++;
  Severity sev = request_severity(r, e.flags);
  e.severity = severity_name(sev);
  e.severity_score = severity_score(sev);
}

}  // namespace sockwarden
