// What podman actually configured for one container: the OCI runtime spec it
// wrote for runc (<graph root>/<driver>-containers/<id>/userdata/config.json,
// written when the container is first started; until then podman keeps the
// configuration only in its own database). The ground truth of a podman
// request's effect (agent/request_effects), read as dockerd's state is
// (enrich/docker_effect_state.h): small_file, root-owned, 1 MiB, nesting checked.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockwarden {

// "<storage>/overlay-containers", "<storage>/vfs-containers", ...: the
// containers/storage container directories of a graph root, every driver.
std::vector<std::string> podman_container_dirs(const std::string& graph_root);

struct PodmanSpec {
  std::string containers_dir;  // which of the directories holds it
  std::string id;
  std::string spec;            // config.json's text (a JSON object)
};

// The spec of container `id` in any of `dirs`; nullopt while it is not written
// (created, never started) or when it is not a root-owned regular file of at
// most 1 MiB holding a JSON object.
std::optional<PodmanSpec> read_podman_spec(const std::vector<std::string>& dirs, const std::string& id,
                                           uint32_t owner = 0);

// The spec podman made when the container was created, from its database:
// <graph root>/libpod/bolt_state.db (podman 4's default static dir; BoltDB,
// enrich/bolt_db), bucket ctr/<id>, key "config": {"spec": {...OCI spec...},
// "name": ..., ...}. What a container created and never started has: until
// its first start the spec is nowhere else. nullopt when there is no such
// database of `owner`, no such container, or its config is no JSON object
// (at most 4 MiB, nesting checked) with a "spec" object. containers_dir is
// the database's path.
std::optional<PodmanSpec> read_podman_db_spec(const std::vector<std::string>& graph_roots, const std::string& id,
                                              uint32_t owner = 0);

// A reference as the compat API takes it (full id, unique prefix, name) ->
// the full id, from containers/storage's containers.json (at most 8 MiB).
std::optional<std::string> podman_find_container(const std::vector<std::string>& dirs, std::string_view ref,
                                                 uint32_t owner = 0);

// The containers containers/storage recorded as created (containers.json "created", realtime
// ns) within [since_ns, until_ns]: what a create answered nowhere the agent saw (no reply on
// syscall-tp) and named nowhere it could read (libpod's name is in the body) made. At most
// `max` ids; the caller decides what more than one means.
std::vector<std::string> podman_created_between(const std::vector<std::string>& dirs, uint64_t since_ns,
                                                uint64_t until_ns, uint32_t owner = 0, size_t max = 16);

// The spec without the mounts podman makes from its own per-container files
// (resolv.conf, hosts, hostname, .containerenv, secrets: sources under the
// container's own "<driver>-containers/<id>/userdata"): they are no host mount
// the caller asked for.
std::string podman_spec_without_own_mounts(const std::string& spec_text, const std::string& id);

}  // namespace sockwarden
