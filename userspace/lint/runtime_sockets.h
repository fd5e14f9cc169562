// Does a host path (a bind-mount source) hand over a container runtime
// socket? Built on the agent's own watch list (capture/watch_list.h
// default_socket_specs) so that lint and the agent cannot diverge, plus the
// runtime sockets the agent does not watch by default.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sockwarden::lint {

enum class SocketExposure {
  None,
  Socket,     // the path is a runtime socket
  ParentDir,  // the path is a directory above one (/, /var, /run, /run/user/1000, ...)
};

struct ExposureMatch {
  SocketExposure kind = SocketExposure::None;
  std::string socket;  // the socket pattern it matched, e.g. "/run/user/*/docker.sock"
};

// Every runtime socket lint knows: the agent's defaults, then the extras.
std::vector<std::string> lint_socket_patterns();

// "${SOCK:-/var/run/docker.sock}" -> "/var/run/docker.sock",
// "$XDG_RUNTIME_DIR/docker.sock" -> "/run/user/$XDG_RUNTIME_DIR/docker.sock",
// then "//", "..", trailing "/" are normalised and /var/run is read as /run
// (it is a symlink to /run on every current distribution).
std::string normalize_mount_source(std::string_view raw);

// raw: a host path as written in the file (variables allowed).
ExposureMatch runtime_socket_exposure(std::string_view raw);

}  // namespace sockwarden::lint
