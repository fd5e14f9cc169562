// The JSON line of a socket event (connect, send, reply, existing-connection)
// written straight into a string, without building an nlohmann::json tree
// first: building, dumping and freeing that tree was most of the agent's CPU
// per event (malloc/free of every node and key), which capped it at ~20k
// events/s. The bytes are exactly those of to_ecs_json(e).dump() (same key
// order: std::map's sorted keys; same escaping); tests/unit/test_fast_json.cpp
// compares the two on many events. Other events (requests, lost, lifecycle)
// are rarer and keep the tree.
#pragma once
#include <string>

#include "model/event.h"

namespace sockwarden {

// False if e is not a kind this writer handles (then `out` is untouched).
bool write_socket_event_json(const Event& e, std::string& out);

}  // namespace sockwarden
