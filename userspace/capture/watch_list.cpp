#include "capture/watch_list.h"

#include <glob.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <climits>
#include <cstdlib>
#include <cstring>

namespace sockwarden {

std::vector<std::string> default_socket_specs() {
  return {
      "/var/run/docker.sock",
      "/run/containerd/containerd.sock",
      "/run/crio/crio.sock",
      "/run/podman/podman.sock",
      "/run/buildkit/buildkitd.sock",
      // rootless daemons
      "/run/user/*/docker.sock",
      "/run/user/*/podman/podman.sock",
  };
}

uint32_t kernel_dev(dev_t st_dev) {
  return (static_cast<uint32_t>(major(st_dev)) << 20) | (minor(st_dev) & 0xfffff);
}

bool ResolvedWatch::operator==(const ResolvedWatch& o) const {
  return watch_id == o.watch_id && path == o.path && std::memcmp(&key, &o.key, sizeof key) == 0 &&
         basenames == o.basenames;
}

uint64_t self_netns_ino() {
  struct stat st {};
  if (stat("/proc/self/ns/net", &st) != 0) return 0;
  return st.st_ino;
}

WatchList::WatchList(std::vector<std::string> specs, uint64_t netns_ino)
    : specs_(std::move(specs)), netns_ino_(netns_ino) {}

std::string WatchList::validate_spec(const std::string& spec) {
  if (spec.empty()) return "empty socket path";
  if (spec[0] == '@') {
    if (spec.size() < 2) return "abstract socket name after '@' is empty";
    if (spec.size() - 1 > SW_UNIX_PATH_MAX - 1) return "abstract socket name longer than 107 bytes";
    return "";
  }
  if (spec.size() >= SW_UNIX_PATH_MAX && spec.find('*') == std::string::npos)
    return "socket path longer than 107 bytes (the unix socket limit)";
  return "";
}

uint32_t WatchList::id_for(const std::string& path) {
  auto it = ids_.find(path);
  if (it != ids_.end()) return it->second;
  paths_.push_back(path);
  uint32_t id = static_cast<uint32_t>(paths_.size());
  ids_.emplace(path, id);
  return id;
}

std::string WatchList::path_of(uint32_t watch_id) const {
  if (watch_id == 0 || watch_id > paths_.size()) return "";
  return paths_[watch_id - 1];
}

static std::string basename_of(const std::string& p) {
  auto pos = p.find_last_of('/');
  return pos == std::string::npos ? p : p.substr(pos + 1);
}

std::vector<ResolvedWatch> WatchList::resolve() {
  std::vector<ResolvedWatch> out;
  for (const auto& spec : specs_) {
    if (!spec.empty() && spec[0] == '@') {
      ResolvedWatch w;
      w.path = spec;
      w.watch_id = id_for(spec);
      w.key.kind = SW_WATCH_ABSTRACT;
      w.key.netns = netns_ino_;
      std::memcpy(w.key.name, spec.data() + 1, std::min<size_t>(spec.size() - 1, SW_UNIX_PATH_MAX - 1));
      out.push_back(std::move(w));
      continue;
    }
    glob_t g{};
    std::vector<std::string> paths;
    if (spec.find_first_of("*?[") != std::string::npos) {
      if (glob(spec.c_str(), GLOB_NOSORT, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; i++) paths.emplace_back(g.gl_pathv[i]);
      globfree(&g);
    } else {
      paths.push_back(spec);
    }
    for (const auto& p : paths) {
      struct stat st {};
      if (stat(p.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
      ResolvedWatch w;
      w.path = p;
      w.watch_id = id_for(p);
      w.key.kind = SW_WATCH_PATH;
      w.key.dev = kernel_dev(st.st_dev);
      w.key.ino = st.st_ino;
      w.basenames.push_back(basename_of(p));
      char real[PATH_MAX];
      if (realpath(p.c_str(), real) != nullptr) {
        std::string b = basename_of(real);
        if (b != w.basenames.front()) w.basenames.push_back(b);
      }
      out.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace sockwarden
