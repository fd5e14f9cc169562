// sockwarden doctor: what this kernel allows and which tier would run.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace sockwarden {

// Prints a checklist; returns the exit code (0 if some tier loads).
// agent: the options `run` would use (config file included), for the list
// of expected-caller rules in force; nullptr when they could not be loaded.
struct AgentOptions;
int run_doctor(std::ostream& out, const std::vector<std::string>& extra_sockets,
               const AgentOptions* agent = nullptr);

}  // namespace sockwarden
