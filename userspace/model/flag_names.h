// Stable user-facing names of the kernel's SW_F_* record flags.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/event.h"

namespace sockwarden {

// In bit order. SW_F_RESULT_KNOWN is bookkeeping (whether `result` is valid),
// not something a user acts on, so it has no name; unknown bits are ignored.
std::vector<std::string> flag_names(uint32_t sw_flags);
// The same names into a fixed array (at most kMaxFlagNames), without allocating:
// the JSON writer's way. Returns how many.
inline constexpr size_t kMaxFlagNames = 16;
size_t flag_names(uint32_t sw_flags, const char* (&out)[kMaxFlagNames]);

// What outputs print: flag_names(e.raw.flags) followed by any names in
// e.flags that are not already there (later stages may add their own), so the
// kernel's flags are shown even if nobody copied them into e.flags.
std::vector<std::string> event_flag_names(const Event& e);

}  // namespace sockwarden
