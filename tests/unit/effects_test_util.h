// Shared by the request-effects unit tests (test_request_effects, test_image_effects,
// test_containerd_exec_effects).
#pragma once
#include <utility>
#include <vector>

#include "model/event.h"

namespace sockwarden {

// A batch of one request event, as RequestEffects::admit takes it.
inline std::vector<Event> one(Event e) {
  std::vector<Event> v;
  v.push_back(std::move(e));
  return v;
}

}  // namespace sockwarden
