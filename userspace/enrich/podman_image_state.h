// Which image each reference names in podman's image store (containers/storage),
// read from its state on disk: <graph root>/<driver>-images/images.json, which
// podman rewrites whenever a pull, load, build, import or tag gives an image a
// name. The podman counterpart of docker_image_state: the ground truth a podman
// image request's effect is judged by (agent/image_effects).
//
// podman names are fully qualified: its Docker-compatible API qualifies a name
// without a registry as Docker does ("x:1" is "docker.io/x:1"), its libpod API
// tags and builds such a name as a local one ("localhost/x:1"). They are kept
// in Docker's familiar form ("docker.io/library/busybox:latest" is
// "busybox:latest", "localhost/x:1" stays), the form requests are compared in,
// so one judgement serves both stores.
//
// Hostile files: read with read_small_file (O_NOFOLLOW on the last component,
// regular files only, owned by `owner`, at most kDockerImageTagsMax bytes),
// JSON nesting checked before parsing, at most kDockerImageRefsMax references
// kept, each a bounded printable name pointing at "sha256:<64 hex>".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "enrich/docker_image_state.h"

namespace sockwarden {

// Every name of every image in the store's images.json files under graph_root
// (one per storage driver), or nullopt when there is none to read.
std::optional<ImageRefs> read_podman_image_refs(const std::string& graph_root, uint32_t owner = 0);

// One images.json ([{"id": "<64 hex>", "names": [...]}, ...]) -> its references in
// familiar form (malformed entries skipped); nullopt if the text is no JSON array.
std::optional<ImageRefs> parse_podman_images(std::string_view text);

// A name as a libpod tag or build names it, as podman stores it: one without a
// registry (its first component has no '.' or ':' and is not "localhost") is
// local, "x" -> "localhost/x"; others as they are.
std::string podman_local_name(std::string_view name);

}  // namespace sockwarden
