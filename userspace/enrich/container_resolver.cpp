#include "enrich/container_resolver.h"

#include <algorithm>

#include <glob.h>
#include <sys/stat.h>

#include <filesystem>
#include <vector>

#include "enrich/host_process.h"
#include "enrich/small_file.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

// An OCI spec is a few tens of KiB; Docker's config.v2.json grows with env
// and labels but stays far below this.
// Real specs are tens of KiB; some of these files are in users' directories
// (rootless runtimes), read as root on the event path: about 1 MiB at most.
constexpr size_t kMaxSpecBytes = 1u << 20;

bool dir_exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> expand_glob(const std::string& pattern) {
  std::vector<std::string> out;
  if (pattern.empty()) return out;
  glob_t g{};
  // No GLOB_ERR: an unreadable home directory must only skip that user.
  if (::glob(pattern.c_str(), GLOB_NOSORT | GLOB_ONLYDIR, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

// containers/storage names its per-container directory after the storage
// driver ("overlay-containers", "vfs-containers", "btrfs-containers", ...):
// a configured ".../overlay-containers" also finds the other drivers'. Only
// directories that exist are returned.
std::vector<std::string> driver_dirs(const std::string& dir) {
  static const std::string kOverlay = "overlay-containers";
  if (dir.size() >= kOverlay.size() && dir.compare(dir.size() - kOverlay.size(), kOverlay.size(), kOverlay) == 0)
    return expand_glob(dir.substr(0, dir.size() - kOverlay.size()) + "*-containers");
  return expand_glob(dir);
}

}  // namespace

ContainerResolver::ContainerResolver(RuntimeRoots roots, size_t max_entries, Clock now,
                                     std::chrono::milliseconds miss_retry_interval)
    : roots_(std::move(roots)),
      max_entries_(max_entries == 0 ? 1 : max_entries),
      now_(std::move(now)),
      miss_retry_(miss_retry_interval) {}

std::optional<ContainerInfo> ContainerResolver::resolve(const std::string& cgroup_path) {
  if (cgroup_path.empty()) return std::nullopt;
  auto now = now_();

  if (Entry* e = touch(cgroup_path)) {
    if (!e->parsed) return std::nullopt;
    if (e->resolved) {
      if (now - e->checked < kStateRecheck) return e->info;
      e->checked = now;
      if (dir_exists(e->state_dir)) return e->info;
      // The container is gone, or was recreated under the same cgroup
      // path by a runtime that reuses ids: what we knew is stale.
    } else if (now - e->checked < miss_retry_) {
      return e->info;
    }
    refresh(*e, now);
    return e->info;
  }

  Entry e;
  e.parsed = parse_container_cgroup(cgroup_path);
  e.delegated = is_delegated_cgroup(cgroup_path);
  e.checked = now;
  if (!e.parsed) {
    // Most cgroups are no container; caching that saves re-parsing the path
    // on every event from a system service.
    e.resolved = true;
    insert(cgroup_path, std::move(e));
    return std::nullopt;
  }
  refresh(e, now);
  auto info = e.info;
  insert(cgroup_path, std::move(e));
  return info;
}

void ContainerResolver::refresh(Entry& e, std::chrono::steady_clock::time_point now) {
  const ContainerRef& ref = *e.parsed;
  ++disk_lookups_;
  std::optional<Found> found;
  try {
    found = lookup(ref);
  } catch (...) {
    // Only allocation failure or a filesystem library error can land here;
    // either way the event goes out without a name and we try again later.
    found.reset();
  }

  ContainerInfo info;
  info.ref = ref;
  info.pod_uid = ref.pod_uid;
  e.checked = now;
  e.resolved = found.has_value();
  e.state_dir.clear();
  if (found) {
    const RuntimeMetadata& m = found->meta;
    info.ref.runtime = found->runtime;
    info.ref.runtime_inferred = false;
    info.name = m.name;
    // Pod sandboxes ("pause" containers) have no container name of their
    // own; "POD" is what the kubelet has always called them
    // (k8s_POD_<pod>_... under dockershim).
    if (info.name.empty() && m.sandbox) info.name = "POD";
    // A container whose runtime records no name at all (ctr run, a spec
    // without annotations): the short id, as `docker ps` would show.
    if (info.name.empty()) info.name = ref.id.substr(0, 12);
    info.image = m.image;
    info.pod_name = m.pod_name;
    info.pod_namespace = m.pod_namespace;
    if (!m.pod_uid.empty()) info.pod_uid = m.pod_uid;
    e.state_dir = std::move(found->state_dir);
    info.trusted = found->trusted && !e.delegated;
  }
  e.info = std::move(info);
}

std::optional<ContainerResolver::Found> ContainerResolver::lookup(const ContainerRef& ref) {
  if (ref.runtime_inferred) {
    // The layout did not say whose container this is (see ContainerRef): ask
    // each runtime's state, most common Kubernetes runtime first.
    for (auto fn : {&ContainerResolver::lookup_containerd, &ContainerResolver::lookup_crio,
                    &ContainerResolver::lookup_docker, &ContainerResolver::lookup_podman}) {
      if (auto f = (this->*fn)(ref.id)) return f;
    }
    return std::nullopt;
  }
  if (ref.runtime == "docker") return lookup_docker(ref.id);
  if (ref.runtime == "containerd") return lookup_containerd(ref.id);
  if (ref.runtime == "cri-o") return lookup_crio(ref.id);
  if (ref.runtime == "podman") return lookup_podman(ref.id);
  return std::nullopt;
}

void ContainerResolver::set_docker_data_roots(const std::vector<std::string>& extra) {
  std::vector<std::string> roots{roots_.docker_data_root};
  for (const auto& r : extra)
    if (!r.empty() && std::find(roots.begin(), roots.end(), r) == roots.end()) roots.push_back(r);
  docker_roots_ = std::move(roots);
}

std::optional<ContainerResolver::Found> ContainerResolver::lookup_docker(const std::string& id) {
  if (docker_roots_.empty()) docker_roots_.push_back(roots_.docker_data_root);
  for (const auto& root : docker_roots_) {
    std::string dir = root + "/containers/" + id;
    auto text = read_small_file(dir + "/config.v2.json", kMaxSpecBytes);
    if (!text) continue;
    auto meta = parse_docker_config_v2(*text);
    if (!meta) continue;  // mid-write cannot happen (atomic rename); corrupt: retry later
    return Found{std::move(*meta), "docker", std::move(dir)};
  }
  return std::nullopt;
}

std::optional<ContainerResolver::Found> ContainerResolver::lookup_containerd(const std::string& id) {
  // The namespace is not in the cgroup path (the CRI plugin and nerdctl
  // choose their own cgroup names), so every namespace directory is tried.
  std::error_code ec;
  fs::directory_iterator it(roots_.containerd_state, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code tec;
    if (it->symlink_status(tec).type() != fs::file_type::directory) continue;
    std::string dir = it->path().string() + "/" + id;
    auto text = read_small_file(dir + "/config.json", kMaxSpecBytes);
    if (!text) continue;
    auto meta = parse_oci_annotations(*text);
    if (!meta) continue;
    return Found{std::move(*meta), "containerd", std::move(dir)};
  }
  return std::nullopt;
}

std::optional<ContainerResolver::Found> ContainerResolver::lookup_crio(const std::string& id) {
  std::vector<std::string> dirs;
  for (const std::string* root : {&roots_.crio_state, &roots_.crio_config}) {
    auto found = driver_dirs(*root);
    dirs.insert(dirs.end(), found.begin(), found.end());
  }
  for (const std::string& root : dirs) {
    std::string dir = root + "/" + id;
    auto text = read_small_file(dir + "/userdata/config.json", kMaxSpecBytes);
    if (!text) continue;
    auto meta = parse_oci_annotations(*text);
    if (!meta) continue;
    // The containers/storage dirs are shared with podman: a bare-id cgroup
    // (see ContainerRef::runtime_inferred) may be podman's.
    std::string runtime = meta->manager == "libpod" ? "podman" : "cri-o";
    return Found{std::move(*meta), runtime, std::move(dir)};
  }

  // Fallback: the containers lists. CRI-O creates every container volatile,
  // so it is in volatile-containers.json; its entry names the sandbox
  // (pod-id), whose own entry carries the pod's namespace and uid.
  auto hit = lists_.find(dirs, id);
  if (!hit) return std::nullopt;
  std::string dir = hit->dir + "/" + id;
  if (!dir_exists(dir)) return std::nullopt;  // listed but being deleted
  RuntimeMetadata meta = std::move(hit->entry.meta);
  if ((meta.pod_namespace.empty() || meta.pod_uid.empty()) && !meta.pod_id.empty()) {
    if (auto sandbox = lists_.find(dirs, meta.pod_id)) {
      if (meta.pod_namespace.empty()) meta.pod_namespace = sandbox->entry.meta.pod_namespace;
      if (meta.pod_uid.empty()) meta.pod_uid = sandbox->entry.meta.pod_uid;
    }
  }
  // CRI-O's metadata always names the pod; podman's never does.
  std::string runtime = meta.pod_name.empty() ? "podman" : "cri-o";
  return Found{std::move(meta), runtime, std::move(dir)};
}

std::optional<ContainerResolver::Found> ContainerResolver::lookup_podman(const std::string& id) {
  std::vector<std::string> dirs;
  for (const std::string* pattern : {&roots_.podman_rootful, &roots_.podman_rootful_run, &roots_.podman_rootless_glob,
                                     &roots_.podman_rootless_run_glob}) {
    auto expanded = driver_dirs(*pattern);
    dirs.insert(dirs.end(), expanded.begin(), expanded.end());
  }
  auto hit = lists_.find(dirs, id);
  if (!hit) return std::nullopt;
  std::string dir = hit->dir + "/" + id;
  if (!dir_exists(dir)) return std::nullopt;
  // Rootless stores live in users' home and runtime dirs: whatever they
  // say names that user's container, but earns it no trust.
  bool rootless = false;
  for (const std::string* pattern : {&roots_.podman_rootless_glob, &roots_.podman_rootless_run_glob})
    for (const auto& d : driver_dirs(*pattern)) rootless = rootless || d == hit->dir;
  return Found{std::move(hit->entry.meta), "podman", std::move(dir), !rootless};
}

ContainerResolver::Entry* ContainerResolver::touch(const std::string& cgroup_path) {
  auto it = index_.find(cgroup_path);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->second;
}

void ContainerResolver::insert(const std::string& cgroup_path, Entry e) {
  lru_.emplace_front(cgroup_path, std::move(e));
  index_[cgroup_path] = lru_.begin();
  while (index_.size() > max_entries_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

}  // namespace sockwarden
