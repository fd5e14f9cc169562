#include "enrich/attempt_resolver.h"

#include <sys/stat.h>

#include "capture/watch_list.h"
#include "events.h"

namespace sockwarden {

std::optional<uint32_t> AttemptResolver::resolve(RawEvent& attempt) const {
  if (attempt.flags & SW_F_ABSTRACT) {
    if (attempt.watch_id == 0) return std::nullopt;
    return attempt.watch_id;
  }
  const std::string& path = attempt.payload;
  if (path.empty()) return std::nullopt;
  std::string base = proc_root_ + "/" + std::to_string(attempt.tgid);
  std::string candidate = path[0] == '/' ? base + "/root" + path : base + "/cwd/" + path;
  struct stat st {};
  if (stat(candidate.c_str(), &st) != 0) {
    // The caller already exited: only a host-absolute path can still be checked.
    if (path[0] != '/' || stat(path.c_str(), &st) != 0) return std::nullopt;
  }
  auto it = watched_.find({kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)});
  if (it == watched_.end()) return std::nullopt;
  attempt.sock_dev = it->first.first;
  attempt.sock_ino = it->first.second;
  return it->second;
}

}  // namespace sockwarden
