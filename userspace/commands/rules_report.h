// `doctor`: which expected-caller rules the agent would run with, and what
// each can be fooled by.
#pragma once
#include <iosfwd>

#include "agent/agent.h"

namespace sockwarden {

// Prints the rules build_caller_policy(opts) yields, one per line with its
// origin, and whether the built-in name rules are on.
void print_rules_in_force(std::ostream& out, const AgentOptions& opts);

}  // namespace sockwarden
