#include "decode/risk_flags.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace sockwarden {

std::string normalize_host_path(std::string_view p) {
  if (p.empty() || p[0] != '/') return std::string(p);
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') i++;
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    auto s = p.substr(i, j - i);
    if (s == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!s.empty() && s != ".") {
      parts.push_back(s);
    }
    i = j;
  }
  std::string out;
  for (auto s : parts) {
    out += '/';
    out += s;
  }
  return out.empty() ? "/" : out;
}

namespace {
bool under(std::string_view path, std::string_view dir) {
  return path == dir || (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}
}  // namespace

bool host_path_critical(std::string_view raw) {
  std::string p = normalize_host_path(raw);
  if (p == "/") return true;
  static constexpr std::array<std::string_view, 16> kDirs = {
      "/etc",  "/root",  "/var/run", "/run",     "/proc",           "/sys",
      "/dev",  "/boot",  "/home",    "/usr",     "/var/lib/docker", "/var/lib/containerd",
      "/var/lib/kubelet", "/lib",   "/bin",     "/sbin"};
  for (auto d : kDirs)
    if (under(p, d)) return true;
  return host_path_exposes_runtime_socket(p);
}

bool host_path_exposes_runtime_socket(std::string_view raw) {
  std::string p = normalize_host_path(raw);
  static constexpr std::array<std::string_view, 6> kSockets = {
      "docker.sock", "containerd.sock", "crio.sock", "podman.sock", "buildkitd.sock", "dockershim.sock"};
  auto slash = p.rfind('/');
  std::string_view base = slash == std::string::npos ? std::string_view(p) : std::string_view(p).substr(slash + 1);
  for (auto s : kSockets)
    if (base == s) return true;
  // Directories that contain the default sockets.
  static constexpr std::array<std::string_view, 8> kDirs = {
      "/", "/var", "/var/run", "/run", "/run/containerd", "/var/run/containerd", "/run/crio", "/run/podman"};
  for (auto d : kDirs)
    if (p == d) return true;
  return false;
}

void add_host_mount(DecodedRequest& r, std::string_view host_path) {
  std::string p = normalize_host_path(host_path);
  r.add_risk(risk::kHostMount, p);
  if (host_path_exposes_runtime_socket(p)) r.add_risk(risk::kRuntimeSocketMount, p);
}

std::string normalize_cap(std::string_view cap) {
  std::string c;
  for (char ch : cap) c += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (c.rfind("CAP_", 0) == 0) c.erase(0, 4);
  return c;
}

bool cap_is_critical(std::string_view c) {
  static constexpr std::array<std::string_view, 8> kCaps = {"ALL",         "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE",
                                                            "DAC_READ_SEARCH", "SYS_RAWIO", "BPF", "SYS_BOOT"};
  for (auto k : kCaps)
    if (c == k) return true;
  return false;
}

bool cap_is_default(std::string_view c) {
  static constexpr std::array<std::string_view, 14> kDefaultCaps = {
      "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
      "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"};
  return std::find(kDefaultCaps.begin(), kDefaultCaps.end(), c) != kDefaultCaps.end();
}

}  // namespace sockwarden
