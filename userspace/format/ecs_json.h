// Serializes an Event as one ECS-style JSON document (the --json output format).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "model/event.h"

namespace sockwarden {

inline constexpr const char* kEcsVersion = "8.11.0";

nlohmann::json to_ecs_json(const Event& e);

// Compact, single line, no trailing newline. Never throws on odd bytes:
// strings that are not valid UTF-8 (a process may put anything in its comm or
// argv) get U+FFFD instead of aborting the event.
std::string to_json_line(const Event& e);

}  // namespace sockwarden
