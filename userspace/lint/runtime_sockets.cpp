#include "lint/runtime_sockets.h"

#include <fnmatch.h>

#include "capture/watch_list.h"
#include "decode/risk_flags.h"

namespace sockwarden::lint {

namespace {

// Runtime sockets the agent does not watch by default but that are just as
// much root on the host when mounted.
const std::vector<std::string>& extra_sockets() {
  static const std::vector<std::string> kExtra = {
      "/run/containerd/containerd.sock.ttrpc",   // containerd's ttrpc API (events, tasks)
      "/run/containerd/s/*",                     // containerd shim v2 sockets (one per task)
      "/run/docker/containerd/containerd.sock",  // dockerd-managed containerd (Docker < 23)
      "/run/k3s/containerd/containerd.sock",     // k3s / RKE2
      "/run/dockershim.sock",                    // kubelet dockershim (Kubernetes < 1.24)
      "/run/cri-dockerd.sock",                   // Mirantis cri-dockerd
      "/run/docker.sock",
  };
  return kExtra;
}

std::vector<std::string> split_components(const std::string& p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') i++;
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j;
  }
  return out;
}

// ${VAR:-default} / ${VAR-default} -> default; $XDG_RUNTIME_DIR and
// ${XDG_RUNTIME_DIR} -> /run/user/<the variable> (a per-user runtime dir).
std::string expand_variables(std::string_view raw) {
  std::string s(raw);
  for (const char* xdg : {"${XDG_RUNTIME_DIR}", "$XDG_RUNTIME_DIR"}) {
    size_t pos;
    while ((pos = s.find(xdg)) != std::string::npos) s.replace(pos, std::string(xdg).size(), "/run/user/XDG_RUNTIME_DIR");
  }
  size_t pos = 0;
  while ((pos = s.find("${", pos)) != std::string::npos) {
    size_t end = s.find('}', pos);
    if (end == std::string::npos) break;
    std::string inner = s.substr(pos + 2, end - pos - 2);
    size_t dash = inner.find('-');
    if (dash != std::string::npos) {
      size_t from = dash + 1;
      if (dash > 0 && inner[dash - 1] == ':') dash--;
      std::string def = inner.substr(from);
      s.replace(pos, end - pos + 1, def);
      pos += def.size();
    } else {
      pos = end + 1;
    }
  }
  return s;
}

std::string var_run_to_run(std::string p) {
  if (p == "/var/run") return "/run";
  if (p.rfind("/var/run/", 0) == 0) return p.substr(4);
  return p;
}

}  // namespace

std::vector<std::string> lint_socket_patterns() {
  std::vector<std::string> all = default_socket_specs();
  for (const auto& e : extra_sockets()) all.push_back(e);
  return all;
}

std::string normalize_mount_source(std::string_view raw) {
  return var_run_to_run(normalize_host_path(expand_variables(raw)));
}

ExposureMatch runtime_socket_exposure(std::string_view raw) {
  std::string p = normalize_mount_source(raw);
  if (p.empty()) return {};
  if (p[0] != '/') {
    // ~/.docker/run/docker.sock, $HOME/.local/share/containers/podman/machine/podman.sock:
    // a relative or variable path is still a runtime socket by its name.
    auto slash = p.rfind('/');
    std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
    if ((p[0] == '~' || p[0] == '$' || p[0] == '.') && host_path_exposes_runtime_socket("/x/" + base))
      return {SocketExposure::Socket, base};
    return {};
  }
  auto pc = split_components(p);
  ExposureMatch best;
  for (const auto& spec : lint_socket_patterns()) {
    std::string s = var_run_to_run(normalize_host_path(spec));
    // /var/run is a symlink to /run: a mount of /var carries it along on hosts
    // where the link is relative or /var/run is still a directory.
    for (const std::string& candidate : {s, "/var" + s}) {
      auto sc = split_components(candidate);
      if (pc.size() > sc.size()) continue;
      bool match = true;
      for (size_t i = 0; i < pc.size() && match; i++)
        match = ::fnmatch(sc[i].c_str(), pc[i].c_str(), 0) == 0;
      if (!match) continue;
      if (pc.size() == sc.size()) return {SocketExposure::Socket, spec};
      if (best.kind == SocketExposure::None) best = {SocketExposure::ParentDir, spec};
    }
  }
  if (best.kind != SocketExposure::None) return best;
  // A runtime socket in a non-default place (/srv/ci/docker.sock): known by name.
  if (host_path_exposes_runtime_socket(p)) {
    auto slash = p.rfind('/');
    return {SocketExposure::Socket, p.substr(slash + 1)};
  }
  return {};
}

}  // namespace sockwarden::lint
