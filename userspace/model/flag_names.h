// Stable user-facing names of the kernel's SW_F_* record flags.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
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

// The same names, in the same order, handed to fn(std::string_view) one by one
// without allocating (the JSON writer's way; event_flag_names is built on it).
template <typename Fn>
void for_each_event_flag_name(const Event& e, Fn&& fn) {
  const char* names[kMaxFlagNames];
  const size_t n = flag_names(e.raw.flags, names);
  for (size_t i = 0; i < n; i++) fn(std::string_view(names[i]));
  for (size_t k = 0; k < e.flags.size(); k++) {
    const std::string_view f = e.flags[k];
    bool seen = false;
    for (size_t i = 0; i < n && !seen; i++) seen = f == names[i];
    for (size_t j = 0; j < k && !seen; j++) seen = f == e.flags[j];
    if (!seen) fn(std::string_view(f));
  }
}

}  // namespace sockwarden
