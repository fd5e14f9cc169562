#include "agent/plugin_effects.h"

#include <algorithm>
#include <unordered_set>

#include "decode/docker_plugin_summary.h"
#include "decode/risk_flags.h"

namespace sockwarden {
namespace {

// Clock slack between the request's realtime stamp and the file system's mtime (same host; file
// times come from the coarse clock, at most a jiffy behind: 10 ms at HZ=100). Tight: a plugin
// created shortly before a `set` of it was written before that set and must not pass for the
// set's effect (seen with 1 s, and with 100 ms when the CLI's set followed the create's effect
// at once: the set was judged by the store as the create had left it).
constexpr uint64_t kWrittenSlackNs = 20'000'000ull;

void add_privilege(DecodedRequest& scratch, const std::string& privilege) {
  const size_t eq = privilege.find('=');
  if (eq == std::string::npos) return;
  add_plugin_privilege_risk(scratch, std::string_view(privilege).substr(0, eq), std::string_view(privilege).substr(eq + 1));
}

// The privileges a pull or upgrade body accepted (the decoder's "privileges"), or nullopt when
// the body could not be read (or was cut, or said something that is not that list).
std::optional<std::unordered_set<std::string>> accepted_privileges(const DecodedRequest& r) {
  auto it = r.summary.find("privileges");
  if (r.unparsed_body || r.truncated || it == r.summary.end() || !it->is_array()) {
    // No body at all: the client accepted nothing (a plugin that needs nothing).
    if (r.body_bytes == 0 && !r.unparsed_body && !r.truncated) return std::unordered_set<std::string>{};
    return std::nullopt;
  }
  std::unordered_set<std::string> out;
  for (const auto& p : *it)
    if (p.is_string()) out.insert(p.get<std::string>());
  return out;
}

// Whether a set's body was read (the decoder's "settings").
bool settings_read(const DecodedRequest& r) {
  auto it = r.summary.find("settings");
  return !r.unparsed_body && !r.truncated && it != r.summary.end() && it->is_array();
}

}  // namespace

RequestEffect plugin_effect(const DockerPluginRecord& p, const DecodedRequest& r) {
  RequestEffect eff;
  eff.status = "verified";
  eff.source = "docker-plugin-store";
  eff.plugin = true;
  eff.plugin_id = p.id;
  eff.plugin_name = p.name;
  eff.plugin_enabled = p.enabled;

  // The decoder's vocabulary, over what the store holds: the config's privileges, and the
  // sources and devices the settings gave (what dockerd runs the plugin with).
  DecodedRequest scratch;
  scratch.add_risk(risk::kPluginInstall);
  for (const auto& priv : p.privileges) add_privilege(scratch, priv);
  for (const auto& m : p.mounts) add_plugin_privilege_risk(scratch, "mount", m);
  for (const auto& d : p.devices) add_plugin_privilege_risk(scratch, "device", d);
  eff.risk = scratch.risk;
  eff.privileged = scratch.has_risk(risk::kPrivileged);
  for (const auto& f : scratch.risk)
    if (f.name == risk::kHostMount) eff.host_mounts.push_back(f.detail);
  for (const auto& c : p.capabilities) eff.capabilities.push_back(normalize_cap(c));
  eff.devices = p.devices;
  if (!p.network.empty()) eff.namespaces.emplace_back("network", p.network);
  if (p.pid_host) eff.namespaces.emplace_back("pid", "host");
  if (p.ipc_host) eff.namespaces.emplace_back("ipc", "host");

  const std::string action = plugin_action(r.path);
  if (action == "pull"sv || action == "upgrade"sv) {
    auto accepted = accepted_privileges(r);
    // Unread: what the client accepted is unknown. A plugin that needs no privilege needs no
    // acceptance; one that is privileged was installed behind a body nobody could check.
    if (accepted || eff.privileged)
      for (const auto& priv : p.privileges)
        if (!accepted || !accepted->count(priv)) eff.mismatch.push_back(priv);
  } else if (action == "set"sv && !settings_read(r) && r.body_bytes > 0) {
    // An unread set body may have pointed any settable mount or device anywhere.
    for (const auto& s : p.settable_sources) {
      if (std::find(p.devices.begin(), p.devices.end(), s) != p.devices.end()) eff.mismatch.push_back("device:" + s);
      else if (!s.empty() && s[0] == '/') eff.mismatch.push_back("host-mount:" + normalize_host_path(s));
    }
  }
  return eff;
}

const std::vector<DockerPluginRecord>& PluginEffects::plugins(Clock::time_point now) {
  if (listed_at_ && now - *listed_at_ < std::chrono::milliseconds(100) && now >= *listed_at_) return plugins_;
  listed_at_ = now;
  plugins_.clear();
  for (const auto& root : roots_ ? roots_() : std::vector<std::string>{})
    for (auto& p : docker_list_plugins(root, owner_)) plugins_.push_back(std::move(p));
  return plugins_;
}

bool PluginEffects::resolve(Event& e, Clock::time_point now, bool last_chance) {
  DecodedRequest& r = *e.request;
  const std::string target = plugin_request_target(r);
  const std::string action = plugin_action(r.path);
  if (target.empty() || action.empty()) {
    r.effect = RequestEffect::unknown("target-unknown");
    return true;
  }
  if (!roots_) {
    r.effect = RequestEffect::unknown("no-runtime-state");
    return true;
  }
  const DockerPluginRecord* p = docker_find_plugin(plugins(now), target);
  // Written by this request: at or after it (a pull streams its layers first; a create unpacks
  // its tar). Before it: another request's plugin, or this one not done yet.
  const bool written_after = p && p->written_ns + kWrittenSlackNs >= e.realtime_ns;
  if (!written_after) {
    if (!last_chance) return false;
    // enable and set change a plugin that was there: one not rewritten in the window is
    // judged as it stands (a failed enable leaves it disabled, and that is what it is).
    if (!p || (action != "enable"sv && action != "set"sv)) {
      r.effect = RequestEffect::unknown("not-found");
      return true;
    }
  }
  r.effect = plugin_effect(*p, r);
  return true;
}

}  // namespace sockwarden
