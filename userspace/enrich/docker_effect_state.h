// What dockerd actually configured for one container, read from its state on
// disk (<data-root>/containers/<id>/): the ground truth a request's effect is
// judged by (agent/request_effects). The caller chose the request's bytes;
// these files are written by the daemon after it parsed them its own way.
//
// Hostile files: everything is read with read_small_file (O_NOFOLLOW on the
// last component, regular files only, owned by root, at most kDockerStateMax
// bytes), directories are opened O_NOFOLLOW|O_DIRECTORY, listings are bounded,
// and JSON nesting is checked before parsing.
#pragma once
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockwarden {

// Each entry of `dir` whose name is a full 64-hex id and which is a directory (never a
// symlink: a planted link could point a listing anywhere), `dir` itself opened without
// following a symlink at its last component; at most max_entries entries looked at.
// f(id, its stat) returns false to stop. dockerd's containers/ and plugins/ are such lists.
void each_id_dir(const std::string& dir, size_t max_entries,
                 const std::function<bool(const std::string& id, const struct stat& st)>& f);

constexpr size_t kDockerStateMax = size_t{1} << 20;

struct DockerContainerRecord {
  std::string id;              // 64 hex
  std::string name;            // "/probe" as config.v2.json has it
  uint64_t created_ns = 0;     // config.v2.json "Created", realtime ns (0: unreadable)
  std::string hostconfig;      // hostconfig.json's text (a JSON object, nesting checked)
};

// "2026-12-03T07:29:24.123456789Z" (RFC 3339, UTC or an offset) -> ns since the epoch; 0 if malformed.
uint64_t parse_rfc3339_ns(std::string_view s);

// True for a full 64-character lowercase hex id.
bool is_full_container_id(std::string_view s);

// One container's record under `root`, nullopt when its files are missing,
// not root-owned regular files, too large, too deep or not JSON objects.
// `owner`: the uid the files must belong to (root; a test passes its own).
std::optional<DockerContainerRecord> read_docker_container(const std::string& root, const std::string& id,
                                                           uint32_t owner = 0);

// Ids of the container directories under <root>/containers changed at or
// after `since_realtime_ns` (their mtime: a new container's files are written
// into it at create). At most `max_entries` directory entries are looked at.
std::vector<std::string> docker_changed_container_ids(const std::string& root, uint64_t since_realtime_ns,
                                                      size_t max_entries = 4096);

// A reference as the API takes it (full id, unique id prefix, or name with or
// without the leading '/') -> the container's full id and the root holding
// it. Names are matched by reading config.v2.json (bounded by max_entries).
struct DockerContainerLocation {
  std::string root;
  std::string id;
};
std::optional<DockerContainerLocation> docker_find_container(const std::vector<std::string>& roots,
                                                             std::string_view ref, uint32_t owner = 0,
                                                             size_t max_entries = 4096);

}  // namespace sockwarden
