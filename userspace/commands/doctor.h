// sockwarden doctor: what this kernel allows and which tier would run.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace sockwarden {

// Prints a checklist; returns the exit code (0 if some tier loads).
int run_doctor(std::ostream& out, const std::vector<std::string>& extra_sockets);

}  // namespace sockwarden
