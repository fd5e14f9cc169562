// Ring-buffer record -> RawEvent. Never trusts a length from the kernel.
#pragma once
#include <cstddef>
#include <optional>

#include "capture/raw_event.h"

namespace sockwarden {

// Returns nullopt (and the caller counts a decode error) when the record is
// shorter than its header, has an unknown type, or claims more payload than it carries.
std::optional<RawEvent> decode_record(const void* data, size_t size);
std::optional<ProcEvent> decode_proc_record(const void* data, size_t size);

}  // namespace sockwarden
