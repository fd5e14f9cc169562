#include "enrich/docker_data_root.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "enrich/cmdline_args.h"
#include "enrich/host_process.h"
#include "enrich/small_file.h"

namespace sockwarden {
namespace {

struct Flags {
  std::optional<std::string> data_root;
  std::optional<std::string> config_file;
};

// Matches "--name X", "--name=X"; for a one-letter shorthand also "-gX".
bool take_value(const std::vector<std::string>& args, size_t& i, const std::string& flag,
                std::optional<std::string>& out) {
  const std::string& a = args[i];
  if (a == flag) {
    if (i + 1 < args.size()) out = args[++i];
    return true;
  }
  if (a.rfind(flag + "=", 0) == 0) {
    out = a.substr(flag.size() + 1);
    return true;
  }
  bool shorthand = flag.size() == 2 && flag[0] == '-' && flag[1] != '-';
  if (shorthand && a.size() > 2 && a.rfind(flag, 0) == 0) {
    out = a.substr(2);
    return true;
  }
  return false;
}

Flags parse_flags(const std::string& cmdline) {
  Flags f;
  auto args = split_cmdline_args(cmdline);
  // args[0] is the program; everything after "--" is not a flag.
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (take_value(args, i, "--data-root", f.data_root) || take_value(args, i, "--graph", f.data_root) ||
        take_value(args, i, "-g", f.data_root) || take_value(args, i, "--config-file", f.config_file))
      continue;
  }
  return f;
}

std::optional<std::string> from_daemon_json(const std::string& path, std::optional<uint32_t> owner) {
  auto text = read_small_file(path, 1u << 20, /*follow_symlinks=*/true, owner);
  if (!text) return std::nullopt;
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  for (const char* key : {"data-root", "graph"}) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  }
  return std::nullopt;
}

std::string strip_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

std::string docker_data_root_from(const std::string& daemon_json_path, const std::string& cmdline,
                                  std::optional<uint32_t> config_owner) {
  Flags f = parse_flags(cmdline);
  if (f.data_root && !f.data_root->empty()) return strip_trailing_slashes(*f.data_root);
  const std::string& config = f.config_file && !f.config_file->empty() ? *f.config_file : daemon_json_path;
  if (auto root = from_daemon_json(config, config_owner)) return strip_trailing_slashes(*root);
  return kDefaultDockerDataRoot;
}

std::vector<std::string> docker_data_roots_of(const std::vector<TrustedDaemon>& daemons,
                                              const std::string& daemon_json_path, uint32_t owner) {
  std::vector<std::string> roots;
  auto add = [&](std::string r) {
    if (!r.empty() && std::find(roots.begin(), roots.end(), r) == roots.end()) roots.push_back(std::move(r));
  };
  for (const auto& d : daemons)
    if (d.exe_name == kDockerdExe) add(docker_data_root_from(daemon_json_path, d.cmdline, owner));
  if (roots.empty()) add(docker_data_root_from(daemon_json_path, "", owner));
  return roots;
}

std::vector<std::string> running_docker_data_roots(const std::string& proc_root, const std::string& daemon_json_path,
                                                   uint32_t owner, uint64_t host_mntns) {
  return docker_data_roots_of(trusted_daemons(proc_root, {kDockerdExe}, owner, host_mntns), daemon_json_path, owner);
}

}  // namespace sockwarden
