#include "lint/yaml_lines.h"

namespace sockwarden::lint {

int line_of(const YAML::Node& n, int fallback) {
  if (!n.IsDefined()) return fallback;
  int l = n.Mark().line;
  return l < 0 ? fallback : l + 1;
}

std::string scalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar() ? n.Scalar() : ""; }

YAML::Node child(const YAML::Node& map, const char* key) {
  if (!map.IsDefined() || !map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  // operator[] on a const node never inserts.
  const YAML::Node v = map[key];
  return v ? v : YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace sockwarden::lint
