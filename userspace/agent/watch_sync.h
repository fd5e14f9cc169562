// Stage beside capture: keeps the kernel's watch maps equal to the sockets
// that exist now. Paths and globs are re-resolved every 500 ms (a runtime that
// restarts recreates its socket under a new inode), and every consumer of the
// watched set is told: the BPF maps, the relay detector (watched paths) and
// the refused-connect resolver (watched inodes).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "capture/capture.h"
#include "capture/watch_list.h"
#include "classify/relay_detector.h"
#include "enrich/attempt_resolver.h"

namespace sockwarden {

class WatchSync {
 public:
  WatchSync(std::vector<std::string> specs, std::string host_root, Capture& capture, RelayDetector& relays,
            AttemptResolver& attempts);

  // Resolves the specs and pushes the result everywhere; returns how many exist.
  size_t resync();
  // SIGHUP with other sockets: new specs, then a resync.
  size_t replace(std::vector<std::string> specs);

  std::vector<ResolvedWatch> resolve() { return watches_.resolve(); }
  std::string path_of(uint32_t watch_id) const { return watches_.path_of(watch_id); }

 private:
  std::string host_root_;
  WatchList watches_;
  Capture& capture_;
  RelayDetector& relays_;
  AttemptResolver& attempts_;
};

// The default socket specs unless --no-default-sockets, then every --socket.
std::vector<std::string> watched_specs(bool no_default_sockets, const std::vector<std::string>& sockets);

}  // namespace sockwarden
