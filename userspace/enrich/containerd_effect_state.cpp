#include "enrich/containerd_effect_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "decode/json_depth.h"
#include "decode/protobuf_wire.h"
#include "enrich/bolt_db.h"
#include "enrich/cmdline_args.h"
#include "enrich/docker_effect_state.h"
#include "enrich/host_process.h"
#include "enrich/small_file.h"

namespace sockwarden {
namespace {

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string strip_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// `KEY = "..."` (or '...') before the first [table] of a containerd config
// (KEY: state or root). A basic string with an escape is not taken: these are
// plain paths, and half-decoding TOML escapes would name a directory containerd
// does not use.
std::optional<std::string> path_from_config(const std::string& path, std::string_view key,
                                            std::optional<uint32_t> owner) {
  auto text = read_small_file(path, 1u << 20, /*follow_symlinks=*/true, owner);
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] == '#') continue;
    if (line[i] == '[') break;  // the top-level table ends at the first header
    if (line.compare(i, key.size(), key) != 0) continue;
    i = line.find_first_not_of(" \t", i + key.size());
    if (i == std::string::npos || line[i] != '=') continue;
    i = line.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos || (line[i] != '"' && line[i] != '\'')) continue;
    const char q = line[i];
    size_t end = line.find(q, i + 1);
    if (end == std::string::npos) continue;
    std::string v = line.substr(i + 1, end - i - 1);
    if (v.empty() || v[0] != '/' || (q == '"' && v.find('\\') != std::string::npos)) continue;
    return v;
  }
  return std::nullopt;
}

// --FLAG X / --FLAG=X, else `KEY = "X"` in the config file, else the default.
std::string dir_from(const std::string& cmdline, const std::string& flag, std::string_view key, const char* fallback,
                     std::optional<uint32_t> config_owner) {
  auto args = split_cmdline_args(cmdline);
  std::optional<std::string> value, config;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    for (auto [f, out] : {std::pair{flag, &value}, {std::string("--config"), &config}, {std::string("-c"), &config}}) {
      if (a == f && i + 1 < args.size()) *out = args[++i];
      else if (a.rfind(f + "=", 0) == 0) *out = a.substr(f.size() + 1);
      else continue;
      break;
    }
  }
  if (value && !value->empty()) return strip_trailing_slashes(*value);
  if (auto s = path_from_config(config && !config->empty() ? *config : kDefaultContainerdConfig, key, config_owner))
    return strip_trailing_slashes(*s);
  return fallback;
}

std::vector<std::string> dirs_of(const std::vector<TrustedDaemon>& daemons, uint32_t owner,
                                 std::string (*from)(const std::string&, std::optional<uint32_t>),
                                 const char* fallback) {
  std::vector<std::string> dirs;
  // As for dockerd: any user can run a process called containerd whose --state names a
  // directory of theirs; only the trusted daemon's flags count (trusted_daemons).
  for (const auto& d : daemons) {
    if (d.exe_name != kContainerdExe) continue;
    std::string s = from(d.cmdline, owner);
    if (std::find(dirs.begin(), dirs.end(), s) == dirs.end()) dirs.push_back(std::move(s));
  }
  if (dirs.empty()) dirs.push_back(fallback);
  return dirs;
}

bool owned_dir(const std::string& p, uint32_t owner) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == owner;
}

}  // namespace

bool is_containerd_identifier(std::string_view s) {
  if (s.empty() || s.size() > 76 || !alnum(s.front()) || !alnum(s.back())) return false;
  for (size_t i = 0; i < s.size(); i++) {
    if (alnum(s[i])) continue;
    if (s[i] != '.' && s[i] != '_' && s[i] != '-') return false;
    if (!alnum(s[i + 1])) return false;  // a separator is followed by a letter or digit (never last: checked above)
  }
  return true;
}

std::string containerd_state_from(const std::string& cmdline, std::optional<uint32_t> config_owner) {
  return dir_from(cmdline, "--state", "state", kDefaultContainerdState, config_owner);
}

std::string containerd_root_from(const std::string& cmdline, std::optional<uint32_t> config_owner) {
  return dir_from(cmdline, "--root", "root", kDefaultContainerdRoot, config_owner);
}

std::vector<std::string> containerd_states_of(const std::vector<TrustedDaemon>& daemons, uint32_t owner) {
  return dirs_of(daemons, owner, containerd_state_from, kDefaultContainerdState);
}

std::vector<std::string> containerd_roots_of(const std::vector<TrustedDaemon>& daemons, uint32_t owner) {
  return dirs_of(daemons, owner, containerd_root_from, kDefaultContainerdRoot);
}

std::vector<std::string> running_containerd_states(const std::string& proc_root, uint32_t owner, uint64_t host_mntns) {
  return containerd_states_of(trusted_daemons(proc_root, {kContainerdExe}, owner, host_mntns), owner);
}

std::vector<std::string> running_containerd_roots(const std::string& proc_root, uint32_t owner, uint64_t host_mntns) {
  return containerd_roots_of(trusted_daemons(proc_root, {kContainerdExe}, owner, host_mntns), owner);
}

std::optional<ContainerdBundle> read_containerd_bundle(const std::vector<std::string>& states, const std::string& ns,
                                                       const std::string& id, uint32_t owner) {
  // Both come from the caller's bytes: never a path component unless containerd would accept them.
  if (!is_containerd_identifier(ns) || !is_containerd_identifier(id)) return std::nullopt;
  for (const auto& state : states) {
    const std::string tasks = state + "/io.containerd.runtime.v2.task";
    const std::string nsdir = tasks + "/" + ns;
    const std::string bundle = nsdir + "/" + id;
    if (!owned_dir(tasks, owner) || !owned_dir(nsdir, owner) || !owned_dir(bundle, owner)) continue;
    auto text = read_small_file(bundle + "/config.json", kDockerStateMax, false, owner);
    if (!text || !json_depth_within(*text)) continue;
    if (!nlohmann::json::parse(*text, nullptr, false).is_object()) continue;
    return ContainerdBundle{state, ns, id, std::move(*text)};
  }
  return std::nullopt;
}

std::string containerd_metadata_db(const std::string& root) {
  return root + "/io.containerd.metadata.v1.bolt/meta.db";
}

std::optional<ContainerdBundle> read_containerd_metadata_spec(const std::vector<std::string>& roots,
                                                              const std::string& ns, const std::string& id,
                                                              uint32_t owner) {
  if (!is_containerd_identifier(ns) || !is_containerd_identifier(id)) return std::nullopt;
  for (const auto& root : roots) {
    const std::string path = containerd_metadata_db(root);
    auto db = BoltDb::open(path, owner);
    if (!db) continue;
    auto any = db->get({"v1", ns, "containers", id}, "spec");
    if (!any) continue;
    std::string spec(pb_bytes(*any, 2));  // Any: type_url (1), value (2)
    if (!json_depth_within(spec) || !nlohmann::json::parse(spec, nullptr, false).is_object()) continue;
    return ContainerdBundle{path, ns, id, std::move(spec)};
  }
  return std::nullopt;
}

std::vector<ContainerdBundle> recent_containerd_bundles(const std::vector<std::string>& states, const std::string& ns,
                                                        uint64_t since_ns, uint32_t owner, size_t max_specs) {
  std::vector<ContainerdBundle> out;
  if (!is_containerd_identifier(ns)) return out;
  for (const auto& state : states) {
    const std::string tasks = state + "/io.containerd.runtime.v2.task";
    const std::string nsdir = tasks + "/" + ns;
    if (!owned_dir(tasks, owner) || !owned_dir(nsdir, owner)) continue;
    int fd = ::open(nsdir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    DIR* d = ::fdopendir(fd);
    if (!d) {
      ::close(fd);
      continue;
    }
    std::vector<std::pair<uint64_t, std::string>> recent;
    size_t seen = 0;
    while (struct dirent* de = ::readdir(d)) {
      if (++seen > 4096) break;
      std::string id = de->d_name;
      if (!is_containerd_identifier(id)) continue;
      struct stat st {};
      if (::fstatat(fd, id.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != owner)
        continue;
      const uint64_t mtime = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull +
                             static_cast<uint64_t>(st.st_mtim.tv_nsec);
      if (mtime >= since_ns) recent.emplace_back(mtime, std::move(id));
    }
    ::closedir(d);
    std::sort(recent.begin(), recent.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [t, id] : recent) {
      if (out.size() >= max_specs) break;
      if (auto b = read_containerd_bundle({state}, ns, id, owner)) out.push_back(std::move(*b));
    }
  }
  return out;
}

std::string containerd_spec_as_run(const std::string& spec_text, const std::string& proc_root) {
  auto spec = nlohmann::ordered_json::parse(spec_text, nullptr, false);
  if (!spec.is_object()) return spec_text;
  if (auto ms = spec.find("mounts"); ms != spec.end() && ms->is_array()) {
    nlohmann::ordered_json kept = nlohmann::ordered_json::array();
    for (const auto& m : *ms) {
      if (m.is_object()) {
        auto src = m.find("source");
        if (src != m.end() && src->is_string()) {
          const std::string& p = src->get_ref<const std::string&>();
          if (p.find("/io.containerd.grpc.v1.cri/sandboxes/") != std::string::npos ||
              p.find("/io.containerd.grpc.v1.cri/containers/") != std::string::npos)
            continue;
        }
      }
      kept.push_back(m);
    }
    spec["mounts"] = std::move(kept);
  }
  auto lnx = spec.find("linux");
  if (lnx == spec.end() || !lnx->is_object()) return spec.dump();
  auto nss = lnx->find("namespaces");
  if (nss == lnx->end() || !nss->is_array()) return spec.dump();
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  for (auto n : *nss) {
    auto type = n.is_object() ? n.find("type") : n.end();
    auto path = n.is_object() ? n.find("path") : n.end();
    if (type == n.end() || path == n.end() || !type->is_string() || !path->is_string()) {
      kept.push_back(n);
      continue;
    }
    // The kernel's names for the OCI types.
    static const std::pair<const char*, const char*> kProc[] = {{"network", "net"}, {"pid", "pid"}, {"ipc", "ipc"},
                                                                {"uts", "uts"},     {"mount", "mnt"}, {"cgroup", "cgroup"},
                                                                {"user", "user"}};
    const char* proc_name = nullptr;
    for (auto [oci, kn] : kProc)
      if (type->get_ref<const std::string&>() == oci) proc_name = kn;
    struct stat joined {}, host {};
    // stat() follows /proc/<pid>/ns/<type> to the namespace itself (an nsfs inode).
    // The host's namespace: PID 1's, or the agent's own where PID 1's links are not readable
    // (no CAP_SYS_PTRACE over it, as in a microVM's init); the agent runs in the host's.
    auto host_ns = [&](struct stat& st) {
      return ::stat((proc_root + "/1/ns/" + proc_name).c_str(), &st) == 0 ||
             ::stat((proc_root + "/self/ns/" + proc_name).c_str(), &st) == 0;
    };
    if (!proc_name || ::stat(path->get_ref<const std::string&>().c_str(), &joined) != 0 || !host_ns(host)) {
      kept.push_back(n);  // unknown: read as joined (the conservative "shared with something")
      continue;
    }
    if (joined.st_ino == host.st_ino && joined.st_dev == host.st_dev) continue;  // the host's
    n.erase("path");  // another namespace than the host's: the pod's own
    kept.push_back(n);
  }
  (*lnx)["namespaces"] = std::move(kept);
  return spec.dump();
}

}  // namespace sockwarden
