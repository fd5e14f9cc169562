#include "capture/errors.h"

#include <cstring>

namespace sockwarden {

std::string errno_text(const std::string& what, int err) {
  if (err < 0) err = -err;
  return what + ": " + std::strerror(err) + " (errno " + std::to_string(err) + ")";
}

}  // namespace sockwarden
