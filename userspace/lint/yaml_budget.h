// A bound on how much work a YAML document can demand. Aliases in yaml-cpp
// share one node, so a "billion laughs" file (each anchor a list of ten
// aliases of the previous one) is small to parse, but every check that walks
// the tree visits the shared nodes once per path to them: exponential time.
// Linted files come from repositories anyone can send a pull request to.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace sockwarden::lint {

inline constexpr size_t kMaxYamlVisits = 200000;  // nodes as the checks see them, aliases expanded
inline constexpr size_t kMaxYamlDepth = 256;

// "" when walking the documents with aliases expanded stays within
// max_visits nodes and max_depth levels; else why not. Iterative and bounded
// by max_visits itself, so the check cannot be the slow part.
std::string yaml_over_budget(const std::vector<YAML::Node>& docs, size_t max_visits = kMaxYamlVisits,
                             size_t max_depth = kMaxYamlDepth);

}  // namespace sockwarden::lint
