// Applies the caller flags to an enriched event: container-originated,
// namespaced, unexpected-caller (see caller_policy.h for the rules).
#pragma once
#include "classify/caller_policy.h"
#include "model/event.h"

namespace sockwarden {

// Adds the flags to e.flags and the matching rule to e.expected_by.
// Replies are the daemon's own bytes: they are not classified.
void classify_caller(Event& e, const CallerPolicy& policy, const HostNamespaces& host);

}  // namespace sockwarden
