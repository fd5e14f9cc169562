// The effect of a Docker plugin request (operation "plugin-install": POST /plugins/pull,
// /plugins/create, /plugins/{name}/enable|upgrade|set): the plugin as dockerd's plugin store
// holds it afterwards (enrich/docker_plugin_state), never the caller's bytes.
//
// A plugin is a container dockerd runs with the privileges its config asks for (capabilities,
// host mounts, devices, the host's network/pid/ipc namespaces): installing one is running a
// privileged container by another route. A create's body is a tar nothing decodes, and a pull's
// privileges come from a registry, so only the store says what was installed.
//
// Target: pull and create name the plugin with `name` (a pull without it: `remote`), enable,
// upgrade and set in the path; resolved as dockerd does (docker_find_plugin). The store entry
// must have been written at or after the request (20 ms of clock slack): a plugin of that name
// that was there before is another request's (dockerd refuses to install over it). enable and
// set of a plugin not rewritten within the window are judged by the store as it is.
//
// Judgement: flags from the plugin's privileges through the decoder's mapping
// (add_plugin_privilege_risk: privileged for CAP_SYS_ADMIN or allow-all-devices, host-mount,
// device, cap-add, host-network/pid/ipc), plus plugin-install. Mismatch:
//   pull, upgrade: each privilege the plugin has that the body's accepted list did not name
//     (dockerd itself refuses a list that differs, so one means the daemon read the body
//     otherwise); a body that could not be read, when the plugin is privileged: every privilege;
//   set: a body that could not be read, for each settable mount source or device path;
//   create (a tar), enable (no body): none; the effect is the whole reading.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "enrich/docker_plugin_state.h"
#include "model/decoded_request.h"
#include "model/event.h"

namespace sockwarden {

// The effect of request `r` given the plugin `p` the store holds for it (no I/O).
RequestEffect plugin_effect(const DockerPluginRecord& p, const DecodedRequest& r);

class PluginEffects {
 public:
  using Clock = std::chrono::steady_clock;
  // roots: the dockerd data roots (the container resolver's list); owner: uid the store's
  // files must belong to (root).
  PluginEffects(std::function<std::vector<std::string>()> roots, uint32_t owner)
      : roots_(std::move(roots)), owner_(owner) {}

  // Sets e.request->effect and returns true when resolved; false while the store does not show
  // the request's plugin yet (retried on every tick until last_chance).
  bool resolve(Event& e, Clock::time_point now, bool last_chance);

 private:
  // Every plugin of every data root, listed at most every 100 ms however many requests wait
  // (a flood of plugin requests costs one listing per 100 ms).
  const std::vector<DockerPluginRecord>& plugins(Clock::time_point now);

  std::function<std::vector<std::string>()> roots_;
  uint32_t owner_ = 0;
  std::vector<DockerPluginRecord> plugins_;
  std::optional<Clock::time_point> listed_at_;
};

}  // namespace sockwarden
