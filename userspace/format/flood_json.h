// The flood-suppressed event: one process's records that its flood budget
// (bpf/flood_budget.bpf.h) held back over a window, summarised.
#pragma once
#include <nlohmann/json.hpp>

#include "model/event.h"

namespace sockwarden {

nlohmann::json flood_suppressed_json(const Event& e);

}  // namespace sockwarden
