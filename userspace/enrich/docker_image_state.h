// Which image each reference names in dockerd's image store, read from its
// state on disk: <data-root>/image/<graph driver>/repositories.json, which
// dockerd rewrites whenever a pull, load, build, import or tag points a
// reference at an image. The ground truth an image request's effect is judged
// by (agent/image_effects): the request said what to pull or tag; this says
// what the daemon's references now are.
//
// Hostile files: read with read_small_file (O_NOFOLLOW on the last component,
// regular files only, owned by `owner`, at most kDockerImageTagsMax bytes), the
// image/ directory opened O_NOFOLLOW|O_DIRECTORY, at most 16 driver
// directories looked at, JSON nesting checked before parsing, at most
// kDockerImageRefsMax references kept, each a bounded name pointing at
// "sha256:<64 hex>".
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/decoded_request.h"

namespace sockwarden {

constexpr size_t kDockerImageTagsMax = size_t{16} << 20;
constexpr size_t kDockerImageRefsMax = 65536;

// "local/busybox:1" or "busybox@sha256:..." -> "sha256:<64 hex>".
using ImageRefs = std::map<std::string, std::string, std::less<>>;

// Every reference of every graph driver's repositories.json under `root`, or
// nullopt when there is none to read (no image/ directory, no readable file).
std::optional<ImageRefs> read_docker_image_refs(const std::string& root, uint32_t owner = 0);

// The content of one repositories.json -> its references (malformed entries skipped); nullopt if
// the text is no JSON object of the expected shape.
std::optional<ImageRefs> parse_docker_repositories(std::string_view text);

// The references added or moved from `before` to `after` (removed ones are no request's effect
// here: a delete is not an image request of this stage). Sorted by reference.
std::vector<ImageRefChange> image_ref_changes(const ImageRefs& before, const ImageRefs& after);

// "sha256:<64 lowercase hex>": an image id or content digest.
bool is_image_id(std::string_view s);

// A reference as a request names it -> as dockerd's store keys it: "docker.io/library/busybox"
// -> "busybox:latest", "localhost:5000/x" -> "localhost:5000/x:latest", digests kept ("x@sha256:..").
// "" for an empty or overlong name.
std::string docker_familiar_ref(std::string_view name, std::string_view tag = {});

}  // namespace sockwarden
