#include "capture/watch_list.h"

#include <fcntl.h>
#include <glob.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
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

std::string normalize_host_root(const std::string& dir, std::string* error) {
  if (error) error->clear();
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  if (d.empty() || d == "/") return "";
  struct stat st {};
  std::string why;
  if (d[0] != '/') why = "must be an absolute path";
  else if (stat(d.c_str(), &st) != 0)
    why = std::string(std::strerror(errno)) +
          (errno == EACCES ? " (another process's /proc/PID/root needs CAP_SYS_PTRACE)" : "");
  else if (!S_ISDIR(st.st_mode)) why = "not a directory";
  if (error && !why.empty()) *error = d + ": " + why;
  return d;
}

int host_root_pid(const std::string& host_root) {
  std::string r = host_root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  const std::string tail = "/root";
  if (r.size() <= tail.size() || r.compare(r.size() - tail.size(), tail.size(), tail) != 0) return 1;
  r.resize(r.size() - tail.size());
  auto slash = r.find_last_of('/');
  std::string digits = slash == std::string::npos ? r : r.substr(slash + 1);
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 1;
  int pid = std::atoi(digits.c_str());
  return pid > 0 ? pid : 1;
}

WatchList::WatchList(std::vector<std::string> specs, uint64_t netns_ino, std::string host_root)
    : specs_(std::move(specs)), netns_ino_(netns_ino), host_root_(std::move(host_root)) {
  while (!host_root_.empty() && host_root_.back() == '/') host_root_.pop_back();
}

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

// Opens PATH (a host path) with O_PATH inside host_root_, every symlink in it,
// absolute ones included, resolved inside the root (openat2 RESOLVE_IN_ROOT,
// Linux >= 5.6). A plain stat("/proc/1/root" + path) would not do: the kernel
// resolves an absolute symlink met on the way (Debian's /var/run -> /run)
// against the agent's own root, i.e. inside its container. -1 on failure.
int WatchList::open_in_root(const std::string& path, bool follow_last) const {
  int root = open(host_root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return -1;
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path.substr(path.find_first_not_of('/') == std::string::npos ? path.size() : path.find_first_not_of('/'));
  if (rel.empty()) rel = ".";
  int fd = static_cast<int>(syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how));
  close(root);
  return fd;
}

bool WatchList::stat_path(const std::string& path, bool in_root, struct stat* st) const {
  if (!in_root) return stat(path.c_str(), st) == 0;
  int fd = open_in_root(path, true);
  if (fd < 0) return false;
  bool ok = fstat(fd, st) == 0;
  close(fd);
  return ok;
}

// The basename a host path finally names, following symlinks in its last
// component inside the host root (realpath() would resolve them against the
// agent's own root). Directory symlinks do not change the basename.
std::string WatchList::basename_of_target(const std::string& path) const {
  std::string p = path;
  for (int hops = 0; hops < 40; hops++) {  // 40: the kernel's own symlink limit
    int fd = open_in_root(p, false);
    if (fd < 0) return "";
    char target[PATH_MAX];
    ssize_t n = readlinkat(fd, "", target, sizeof target - 1);  // O_PATH fd of the link itself
    close(fd);
    if (n <= 0) return basename_of(p);
    std::string t(target, static_cast<size_t>(n));
    if (t[0] == '/') p = t;
    else p = p.substr(0, p.find_last_of('/') + 1) + t;
  }
  return "";
}

std::vector<std::string> WatchList::expand(const std::string& spec) const {
  if (spec.empty() || spec[0] == '@') return {};
  if (spec.find_first_of("*?[") == std::string::npos) return {spec};
  const std::string& root = spec[0] == '/' ? host_root_ : std::string();
  std::vector<std::string> paths;  // host paths (root stripped again)
  glob_t g{};
  if (glob((root + spec).c_str(), GLOB_NOSORT, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; i++) paths.emplace_back(g.gl_pathv[i] + root.size());
  globfree(&g);
  return paths;
}

bool WatchList::stat_host_path(const std::string& path, struct stat* st) const {
  return stat_path(path, !path.empty() && path[0] == '/' && !host_root_.empty(), st);
}

std::string WatchList::real_host_path(const std::string& path) const {
  if (path.empty() || path[0] != '/' || host_root_.empty()) {
    char real[PATH_MAX];
    return ::realpath(path.c_str(), real) ? std::string(real) : std::string();
  }
  int fd = open_in_root(path, true);
  if (fd < 0) return "";
  // The kernel names the opened inode from the agent's root: host root
  // prefix included when the host root is a plain directory of the agent's
  // filesystem; the path from the host's own root when it is /proc/PID/root
  // of another mount namespace (d_path stops at that namespace's root).
  char target[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
  close(fd);
  if (n <= 0) return "";
  std::string t(target, static_cast<size_t>(n));
  if (t.compare(0, host_root_.size() + 1, host_root_ + "/") == 0) t.erase(0, host_root_.size());
  return t[0] == '/' ? t : std::string();
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
    // Under a host root, relative specs make no sense: they stay the agent's own.
    const std::string& root = spec[0] == '/' ? host_root_ : std::string();
    const std::vector<std::string> paths = expand(spec);  // host paths
    for (const auto& p : paths) {
      struct stat st {};
      if (!stat_path(p, !root.empty(), &st) || !S_ISSOCK(st.st_mode)) continue;
      ResolvedWatch w;
      w.path = p;
      w.watch_id = id_for(p);
      w.key.kind = SW_WATCH_PATH;
      w.key.dev = kernel_dev(st.st_dev);
      w.key.ino = st.st_ino;
      w.basenames.push_back(basename_of(p));
      std::string b = root.empty() ? std::string() : basename_of_target(p);
      char real[PATH_MAX];
      if (root.empty() && realpath(p.c_str(), real) != nullptr) b = basename_of(real);
      if (!b.empty() && b != w.basenames.front()) w.basenames.push_back(b);
      out.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace sockwarden
