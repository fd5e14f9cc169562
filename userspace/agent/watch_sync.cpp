#include "agent/watch_sync.h"

#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <utility>

namespace sockwarden {

std::vector<std::string> watched_specs(bool no_default_sockets, const std::vector<std::string>& sockets) {
  std::vector<std::string> specs = no_default_sockets ? std::vector<std::string>{} : default_socket_specs();
  specs.insert(specs.end(), sockets.begin(), sockets.end());
  return specs;
}

WatchSync::WatchSync(std::vector<std::string> specs, std::string host_root, Capture& capture,
                     RelayDetector& relays, AttemptResolver& attempts)
    : host_root_(normalize_host_root(host_root, nullptr)),
      watches_(std::move(specs), self_netns_ino(), host_root_),
      capture_(capture),
      relays_(relays),
      attempts_(attempts) {}

size_t WatchSync::resync() {
  auto resolved = watches_.resolve();
  std::set<std::string> watched_paths;
  for (const auto& w : resolved) watched_paths.insert(w.path);
  relays_.set_watched_paths(std::move(watched_paths));
  for (const auto& c : capture_.sync_watches(resolved)) spdlog::info("{}", c);
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> by_inode;
  for (const auto& w : resolved)
    if (w.key.kind == SW_WATCH_PATH) by_inode[{w.key.dev, w.key.ino}] = w.watch_id;
  attempts_.set_watched(std::move(by_inode));
  return resolved.size();
}

size_t WatchSync::replace(std::vector<std::string> specs) {
  watches_ = WatchList(std::move(specs), self_netns_ino(), host_root_);
  return resync();
}

}  // namespace sockwarden
