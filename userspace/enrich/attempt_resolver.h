// Resolves the path of a connect attempt the way the caller's kernel lookup
// would: relative to the caller's root and working directory (a container's
// "/host/d.sock" is looked up in its own mount namespace via
// /proc/PID/root), then compares the inode with the watched sockets.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "capture/raw_event.h"

namespace sockwarden {

class AttemptResolver {
 public:
  explicit AttemptResolver(std::string proc_root = "/proc") : proc_root_(std::move(proc_root)) {}

  // (kernel dev, inode) -> watch id of every watched path socket.
  void set_watched(std::map<std::pair<uint32_t, uint64_t>, uint32_t> watched) { watched_ = std::move(watched); }

  // Returns the watch id and fills sock_ino/sock_dev, or nullopt.
  // Abstract attempts were matched exactly in the kernel: their watch id stands.
  std::optional<uint32_t> resolve(RawEvent& attempt) const;

 private:
  std::string proc_root_;
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> watched_;
};

}  // namespace sockwarden
