// yaml-cpp helpers: the 1-based line a node starts on, typed look-ups that
// never throw on the wrong node type.
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>

namespace sockwarden::lint {

// 1-based; `fallback` when the node has no position (a missing key).
int line_of(const YAML::Node& n, int fallback = 0);

// The scalar text, or "" for a missing/non-scalar node.
std::string scalar(const YAML::Node& n);

// map[key] when `map` is a map and has it, else an undefined node.
YAML::Node child(const YAML::Node& map, const char* key);

}  // namespace sockwarden::lint
