#include "enrich/docker_host_config.h"

#include <nlohmann/json.hpp>

namespace sockwarden {
namespace {

using nlohmann::json;

// Files other users influence (anyone with API access sets these): every
// field is checked for type, never trusted to be present.
std::string str(const json& o, const char* k) {
  if (!o.is_object()) return "";
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

bool boolean(const json& o, const char* k) {
  if (!o.is_object()) return false;
  auto it = o.find(k);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}

std::vector<std::string> strings(const json& o, const char* k) {
  std::vector<std::string> out;
  if (!o.is_object()) return out;
  auto it = o.find(k);
  if (it == o.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// "src:dst", "src:dst:ro", "src:dst:ro,z"; a named volume's src has no '/'.
std::optional<HostMount> parse_bind(const std::string& b) {
  auto c1 = b.find(':');
  if (c1 == std::string::npos) return std::nullopt;
  auto c2 = b.find(':', c1 + 1);
  HostMount m;
  m.source = b.substr(0, c1);
  m.destination = b.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
  m.type = !m.source.empty() && m.source[0] == '/' ? "bind" : "volume";
  if (c2 != std::string::npos) {
    std::string opts = "," + b.substr(c2 + 1) + ",";
    if (opts.find(",ro,") != std::string::npos) m.read_write = false;
  }
  return m;
}

}  // namespace

std::optional<DockerHostConfig> parse_docker_hostconfig(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  DockerHostConfig h;
  h.privileged = boolean(doc, "Privileged");
  h.pid_mode = str(doc, "PidMode");
  h.network_mode = str(doc, "NetworkMode");
  h.ipc_mode = str(doc, "IpcMode");
  h.uts_mode = str(doc, "UTSMode");
  h.userns_mode = str(doc, "UsernsMode");
  h.cap_add = strings(doc, "CapAdd");
  h.security_opt = strings(doc, "SecurityOpt");
  if (auto it = doc.find("Devices"); it != doc.end() && it->is_array())
    for (const auto& d : *it)
      if (d.is_object()) h.devices.push_back(str(d, "PathOnHost") + ":" + str(d, "PathInContainer"));
  for (const auto& b : strings(doc, "Binds"))
    if (auto m = parse_bind(b)) h.mounts.push_back(std::move(*m));
  if (auto it = doc.find("Mounts"); it != doc.end() && it->is_array()) {
    for (const auto& m : *it) {
      if (!m.is_object()) continue;
      HostMount hm;
      hm.type = str(m, "Type");
      hm.source = str(m, "Source");
      hm.destination = str(m, "Target");
      hm.read_write = !boolean(m, "ReadOnly");
      h.mounts.push_back(std::move(hm));
    }
  }
  return h;
}

std::optional<DockerContainerState> parse_docker_state(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  DockerContainerState s;
  if (auto it = doc.find("State"); it != doc.end() && it->is_object()) {
    s.running = boolean(*it, "Running");
    if (auto p = it->find("Pid"); p != it->end() && p->is_number_integer()) s.pid = p->get<int>();
  }
  if (auto it = doc.find("MountPoints"); it != doc.end() && it->is_object()) {
    for (const auto& [dest, m] : it->items()) {
      if (!m.is_object()) continue;
      HostMount hm;
      hm.destination = str(m, "Destination").empty() ? dest : str(m, "Destination");
      hm.source = str(m, "Source");
      hm.read_write = boolean(m, "RW");
      hm.type = str(m, "Type");
      s.mount_points.push_back(std::move(hm));
    }
  }
  return s;
}

}  // namespace sockwarden
