// One of an event's flags ("truncated", "unexpected-caller", ...): a view of a string literal.
// Flags are a fixed vocabulary (docs/json-schema.md), so an event carries views, never copies:
// an event outlives every buffer but static storage, so a flag is never text built at run time.
#pragma once
#include <string_view>

namespace sockwarden {

using FlagName = std::string_view;

}  // namespace sockwarden
