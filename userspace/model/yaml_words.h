// How a config or policy error names a YAML node ("found a list") and the
// 1-based line it is on. Shared by the agent's config file and the caller
// policy so that both speak the same words in their messages.
#pragma once

#include <yaml-cpp/yaml.h>

namespace sockwarden {

inline const char* yaml_type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

// yaml-cpp marks are 0-based, and -1 where the position is unknown.
inline int yaml_line(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 1; }

}  // namespace sockwarden
