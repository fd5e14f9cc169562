// Docker plugin requests (operation "plugin-install": POST /plugins/pull, /plugins/create,
// /plugins/{name}/enable|upgrade|set): what their query, path and body say, and the risk
// flags of a plugin privilege. The same privilege -> flag mapping judges what the daemon's
// plugin store holds afterwards (agent/plugin_effects), so both readings share one vocabulary.
#pragma once
#include <string>
#include <string_view>

#include "decode/json_ci.h"
#include "model/decoded_request.h"

namespace sockwarden {

// Bounds on what a plugin body adds to the summary: a hostile body of 100,000 privileges
// must not turn into 100,000 summary entries and risk flags.
constexpr size_t kPluginBodyMaxItems = 256;
constexpr size_t kPluginBodyMaxString = 4096;

// "pull", "create", "enable", "upgrade", "set" from the request's path ("" for another path).
std::string plugin_action(const std::string& path);

// The plugin a request names, as the API takes it: pull and create name it with the `name`
// query parameter (a pull without one installs it under `remote`); enable, upgrade and set in
// the path, "/plugins/{name}/enable" (the name may hold '/': "vieux/sshfs:latest").
std::string plugin_request_target(const DecodedRequest& r);

// A privilege as moby lists them (pull/upgrade bodies, computePrivileges) -> risk flags:
// "capabilities" (CAP_SYS_ADMIN: privileged; beyond Docker's defaults: cap-add), "mount"
// (host-mount for an absolute source), "device", "allow-all-devices" (privileged),
// "network" (host: host-network), "host pid namespace", "host ipc namespace".
void add_plugin_privilege_risk(DecodedRequest& r, std::string_view name, std::string_view value);

// Fills the summary of a plugin-install request: action, remote, name, plugin (path), and
//   pull/upgrade: "privileges", the privileges the client accepted, each "<name>=<value>"
//     (one per value, as moby compares them), their risk flags;
//   set: "settings", the body's "key=value" strings, with host-mount for "<mount>.source=/path"
//     and device for "<device>.path=/dev/x".
// body_ok: the body parsed as JSON (a create's tar never does).
void summarize_plugin_request(DecodedRequest& r, const Json& body, bool body_ok);

}  // namespace sockwarden
