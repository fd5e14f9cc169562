// Reads a runtime's metadata file without trusting what sits at that path.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sockwarden {

// The whole file if it is a regular file of at most max_bytes, else nullopt.
// Some of these paths are writable by unprivileged users (rootless podman
// keeps its state in their home directories), and the agent reads them as
// root on the event path, so: a symlink in the last component is refused
// (O_NOFOLLOW), and a FIFO or device is refused before it is opened for
// reading (O_PATH + fstat, then a reopen of that inode), so the reader can
// neither block, nor run a driver's open handler (/dev/watchdog), nor be
// pointed at /dev/zero or another user's file by name. follow_symlinks is for
// root-owned configuration that distributions do symlink (NixOS links
// /etc/docker/daemon.json into its store).
// owner: when set, a file owned by any other uid is refused too (runtime
// state only root can write is trusted; a copy a user planted is not).
std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes,
                                           bool follow_symlinks = false,
                                           std::optional<uint32_t> owner = std::nullopt);

// The same checks, for a file read in parts (enrich/bolt_db: a database of
// many MiB of which a lookup reads a few pages): a read-only descriptor of the
// regular file at `path` (O_NOFOLLOW unless follow_symlinks, owned by `owner`
// when set, at most max_bytes), or -1. The caller closes it.
int open_regular_file(const std::string& path, size_t max_bytes, bool follow_symlinks = false,
                      std::optional<uint32_t> owner = std::nullopt);

}  // namespace sockwarden
