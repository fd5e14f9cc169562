#include "lint/yaml_budget.h"

#include <utility>

namespace sockwarden::lint {

std::string yaml_over_budget(const std::vector<YAML::Node>& docs, size_t max_visits, size_t max_depth) {
  std::vector<std::pair<YAML::Node, size_t>> stack;
  for (const auto& d : docs) stack.emplace_back(d, 0);
  size_t visits = 0;
  while (!stack.empty()) {
    auto [n, depth] = std::move(stack.back());
    stack.pop_back();
    if (++visits > max_visits)
      return "YAML expands to more than " + std::to_string(max_visits) + " nodes (aliases of aliases?): not checked";
    if (depth > max_depth) return "YAML nested deeper than " + std::to_string(max_depth) + " levels: not checked";
    if (n.IsMap()) {
      for (const auto& kv : n) {
        stack.emplace_back(kv.first, depth + 1);
        stack.emplace_back(kv.second, depth + 1);
      }
    } else if (n.IsSequence()) {
      for (const auto& item : n) stack.emplace_back(item, depth + 1);
    }
  }
  return "";
}

}  // namespace sockwarden::lint
