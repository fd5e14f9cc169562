#include "model/flag_names.h"

#include "events.h"

namespace sockwarden {
namespace {

const struct {
  uint32_t bit;
  const char* name;
} kNames[] = {
    {SW_F_TRUNCATED, "truncated"},
    {SW_F_PAYLOAD_PARTIAL, "payload-partial"},
    {SW_F_PAYLOAD_NONE, "payload-unreadable"},
    {SW_F_PAYLOAD_USER, "payload-from-user-memory"},
    {SW_F_FD_UNKNOWN, "fd-unknown"},
    {SW_F_ABSTRACT, "abstract-socket"},
    {SW_F_DENIED, "denied"},
    {SW_F_FLOOD_GAP, "flood-gap"},
};

}  // namespace

size_t flag_names(uint32_t sw_flags, const char* (&out)[kMaxFlagNames]) {
  size_t n = 0;
  for (const auto& f : kNames)
    if ((sw_flags & f.bit) && n < kMaxFlagNames) out[n++] = f.name;
  return n;
}

std::vector<std::string> flag_names(uint32_t sw_flags) {
  std::vector<std::string> out;
  for (const auto& n : kNames) {
    if (sw_flags & n.bit) out.emplace_back(n.name);
  }
  return out;
}

std::vector<std::string> event_flag_names(const Event& e) {
  std::vector<std::string> out;
  for_each_event_flag_name(e, [&](std::string_view name) { out.emplace_back(name); });
  return out;
}

}  // namespace sockwarden
