// The flood-suppressed event: one process's records that its flood budget
// (bpf/flood_budget.bpf.h) held back over a window, summarised.
#pragma once
#include "format/json_writer.h"
#include "model/event.h"

namespace sockwarden {

// The whole event document.
void write_flood_suppressed(JsonWriter& w, const Event& e);

}  // namespace sockwarden
