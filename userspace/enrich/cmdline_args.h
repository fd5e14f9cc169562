// A process's command line as arguments.
#pragma once
#include <string>
#include <vector>

namespace sockwarden {

// /proc/PID/cmdline's NUL-separated arguments (a path may contain spaces), or
// a space-separated command line when the text has no NUL (test input, a
// process that rewrote its argv).
std::vector<std::string> split_cmdline_args(const std::string& cmdline);

}  // namespace sockwarden
