#include "decode/docker_plugin_summary.h"

#include <unordered_set>

#include "decode/docker_api_routes.h"
#include "decode/risk_flags.h"

namespace sockwarden {
namespace {

// A body string kept for the summary: bounded, and a string that is not worth keeping (empty,
// too long) is reported as "" so that it still counts as something the body said.
std::string bounded(const Json& v) {
  if (!v.is_string()) return {};
  const auto& s = v.get_ref<const std::string&>();
  return s.size() > kPluginBodyMaxString ? s.substr(0, kPluginBodyMaxString) : s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string plugin_action(const std::string& path) {
  if (path == "/plugins/pull") return "pull";
  if (path == "/plugins/create") return "create";
  if (path.rfind("/plugins/", 0) != 0) return {};
  const auto slash = path.rfind('/');
  const std::string last = path.substr(slash + 1);
  if (slash > 9 && (last == "enable" || last == "upgrade" || last == "set")) return last;
  return {};
}

std::string plugin_request_target(const DecodedRequest& r) {
  const std::string action = plugin_action(r.path);
  if (action == "pull" || action == "create") {
    std::string name = query_param(r.query, "name");
    return name.empty() && action == "pull" ? query_param(r.query, "remote") : name;
  }
  if (action.empty()) return {};
  // dockerd's route is /plugins/{name:.*}/enable: everything between the prefix and the last
  // segment, as the router decodes it.
  const size_t from = 9, to = r.path.rfind('/');
  return to > from ? percent_decode(std::string_view(r.path).substr(from, to - from)) : std::string();
}

void add_plugin_privilege_risk(DecodedRequest& r, std::string_view name, std::string_view value) {
  if (name == "capabilities") {
    const std::string cap = normalize_cap(value);
    if (cap == "SYS_ADMIN" || cap == "ALL") r.add_risk(risk::kPrivileged);
    if (!cap.empty() && !cap_is_default(cap)) r.add_risk(risk::kCapAdd, cap);
  } else if (name == "allow-all-devices") {
    if (value == "true") r.add_risk(risk::kPrivileged);  // the device cgroup allows every device
  } else if (name == "mount") {
    if (!value.empty() && value[0] == '/') add_host_mount(r, value);  // a host path bind-mounted in
  } else if (name == "device") {
    if (!value.empty()) r.add_risk(risk::kDevice, std::string(value));
  } else if (name == "network") {
    if (value == "host") r.add_risk(risk::kHostNetwork);
  } else if (name == "host pid namespace") {
    if (value == "true") r.add_risk(risk::kHostPid);
  } else if (name == "host ipc namespace") {
    if (value == "true") r.add_risk(risk::kHostIpc);
  }
}

void summarize_plugin_request(DecodedRequest& r, const Json& body, bool body_ok) {
  const std::string action = plugin_action(r.path);
  if (!action.empty()) r.summary["action"] = action;
  for (const char* k : {"remote", "name"}) {
    auto v = query_param(r.query, k);
    if (!v.empty()) r.summary[k] = v;
  }
  if (action == "enable" || action == "upgrade" || action == "set") r.summary["plugin"] = plugin_request_target(r);
  r.add_risk(risk::kPluginInstall, query_param(r.query, "remote"));

  if ((action == "pull" || action == "upgrade") && body_ok && body.is_array()) {
    // [{"Name":"network","Description":"...","Value":["host"]}, ...]: what the client was shown
    // and accepted. dockerd refuses the request unless they equal what the plugin needs.
    Json list = Json::array();
    std::unordered_set<std::string> seen;
    for (const auto& p : body) {
      const Json* n = json_member(p, "Name");
      const Json* v = json_member(p, "Value");
      if (!n || !n->is_string() || !v || !v->is_array()) continue;
      const std::string name = bounded(*n);
      for (const auto& x : *v) {
        if (list.size() >= kPluginBodyMaxItems) break;
        const std::string value = bounded(x);
        std::string entry = name + "=" + value;
        if (!seen.insert(entry).second) continue;
        list.push_back(entry);
        add_plugin_privilege_risk(r, name, value);
      }
    }
    r.summary["privileges"] = std::move(list);
  } else if (action == "set" && body_ok && body.is_array()) {
    // ["data.source=/", "DEBUG=1"]: a mount's source or a device's path is a host path and kept;
    // any other setting (an env variable, args) keeps its key only, as env values may be secrets.
    Json list = Json::array();
    for (const auto& s : body) {
      if (list.size() >= kPluginBodyMaxItems) break;
      const std::string kv = bounded(s);
      const size_t eq = kv.find('=');
      const std::string key = kv.substr(0, eq);
      if (eq != std::string::npos && ends_with(key, ".source")) {
        list.push_back(kv);
        add_plugin_privilege_risk(r, "mount", std::string_view(kv).substr(eq + 1));
      } else if (eq != std::string::npos && ends_with(key, ".path")) {
        list.push_back(kv);
        add_plugin_privilege_risk(r, "device", std::string_view(kv).substr(eq + 1));
      } else {
        list.push_back(key);
      }
    }
    r.summary["settings"] = std::move(list);
  }
}

}  // namespace sockwarden
