// Nesting bound for JSON read from hostile sources (request bodies, runtime
// state in users' directories). nlohmann's parser is iterative, but copying a
// value (into a request summary), dumping it and comparing it all recurse once
// per level: "[[[[...", 1 MiB deep, would overflow the agent's stack. A linear
// pre-scan refuses such text before anything is built.
#pragma once
#include <cstddef>
#include <string_view>

namespace sockwarden {

// Deeper than anything a container runtime or API client sends (a Docker create
// body nests about 6 levels, an OCI spec about 8).
constexpr size_t kMaxJsonDepth = 64;

// True when no array/object in 'text' nests deeper than max_depth (strings and
// their escapes are skipped; the text need not be valid JSON).
bool json_depth_within(std::string_view text, size_t max_depth = kMaxJsonDepth);

}  // namespace sockwarden
