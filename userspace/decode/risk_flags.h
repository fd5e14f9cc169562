// Risk flag vocabulary: stable names (documented in docs/request-decoding.md) and the
// judgement about host paths that the flags carry.
#pragma once
#include <string>
#include <string_view>

#include "model/decoded_request.h"

namespace sockwarden {

namespace risk {
inline constexpr const char* kPrivileged = "privileged";
inline constexpr const char* kHostMount = "host-mount";                  // detail: host path
inline constexpr const char* kRuntimeSocketMount = "runtime-socket-mount";  // detail: host path
inline constexpr const char* kHostPid = "host-pid";
inline constexpr const char* kHostNetwork = "host-network";
inline constexpr const char* kHostIpc = "host-ipc";
inline constexpr const char* kHostUts = "host-uts";
inline constexpr const char* kUsernsHost = "userns-host";
inline constexpr const char* kCapAdd = "cap-add";                        // detail: capability
inline constexpr const char* kDevice = "device";                         // detail: host device
inline constexpr const char* kSecurityUnconfined = "security-unconfined";  // detail: the option
inline constexpr const char* kExec = "exec";
inline constexpr const char* kImagePull = "image-pull";                  // detail: image
inline constexpr const char* kImageBuild = "image-build";                // effect: detail the reference made
inline constexpr const char* kImageTag = "image-tag";                    // detail: repo:tag
// An image request's effect moved a reference that already named another image (agent/image_effects).
inline constexpr const char* kImageTagReplaced = "image-tag-replaced";   // detail: the reference
inline constexpr const char* kArchiveUpload = "archive-upload";          // detail: path in the container
inline constexpr const char* kRecon = "recon";                           // detail: operation
inline constexpr const char* kPluginInstall = "plugin-install";
inline constexpr const char* kSwarmAccess = "swarm-access";              // detail: operation
inline constexpr const char* kUnparsedBody = "unparsed-body";
// The daemon did something the decoded body did not say (agent/request_effects);
// detail: what differs ("privileged", "host-mount:/", "command", "unread-body").
inline constexpr const char* kEffectMismatch = "effect-mismatch";
}  // namespace risk

// "/etc/../" -> "/", "//var/run/" -> "/var/run". Relative paths stay relative.
std::string normalize_host_path(std::string_view p);

// A host path whose mount hands over the host: "/", "/etc", "/root", "/var/run", "/run"
// (and what is under them), /proc, /sys, /dev, /boot, the runtimes' state dirs.
bool host_path_critical(std::string_view path);

// A container runtime's control socket (docker.sock, containerd.sock, crio.sock, podman.sock,
// buildkitd.sock), or a directory that holds one (/var/run, /run, /run/containerd, ...).
bool host_path_exposes_runtime_socket(std::string_view path);

// Adds host-mount (and runtime-socket-mount where it applies) for a host source path.
void add_host_mount(DecodedRequest& r, std::string_view host_path);

// "SYS_ADMIN", "CAP_SYS_ADMIN", "sys_admin" -> "SYS_ADMIN".
std::string normalize_cap(std::string_view cap);

// Capabilities that alone break container isolation.
bool cap_is_critical(std::string_view normalized_cap);

// Docker's (and containerd's) default capability set: anything beyond it was added.
bool cap_is_default(std::string_view normalized_cap);

}  // namespace sockwarden
