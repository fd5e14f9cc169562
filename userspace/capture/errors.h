// Errors that reach the user: what failed, errno, and what to do about it.
#pragma once
#include <stdexcept>
#include <string>

namespace sockwarden {

// Process exit codes (documented in README.md and docs/options.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitRuntime = 1,      // a runtime failure (I/O, ring buffer, ...)
  kExitUsage = 2,        // bad flag value or config
  kExitPermission = 3,   // not root / missing CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN
  kExitUnsupported = 4,  // kernel lacks BTF or no hook tier loads
};

class UserError : public std::runtime_error {
 public:
  UserError(ExitCode code, const std::string& what, const std::string& hint = "")
      : std::runtime_error(what), code_(code), hint_(hint) {}
  ExitCode code() const { return code_; }
  const std::string& hint() const { return hint_; }

 private:
  ExitCode code_;
  std::string hint_;
};

// "what: strerror(err)"
std::string errno_text(const std::string& what, int err);

}  // namespace sockwarden
