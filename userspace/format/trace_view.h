// Which events `sockwarden trace` prints (--view).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "model/event.h"

namespace sockwarden {

enum class TraceView {
  Requests,  // default: one row per decoded API request, plus connects and every problem row
  All,       // every event, the raw send and reply rows included
};

// "requests" or "all"; nullopt for anything else.
std::optional<TraceView> parse_trace_view(std::string_view name);

// Requests view: everything but successful send and reply rows (their
// content is in the request row; a failed one is still a problem to see).
bool shown_in_view(const Event& e, TraceView view);

}  // namespace sockwarden
