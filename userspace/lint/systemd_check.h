// systemd units (.service, .socket, drop-in .conf): ExecStart= of dockerd
// with -H tcp:// and no --tlsverify, ListenStream= on a TCP port in a
// docker.socket-like unit, BindPaths=/BindReadOnlyPaths= of runtime sockets,
// Environment=DOCKER_HOST=tcp://...
#pragma once
#include <string>
#include <vector>

#include "lint/finding.h"

namespace sockwarden::lint {

void check_systemd_unit(FindingSink& sink, const std::vector<std::string>& lines, const std::string& file_name);

}  // namespace sockwarden::lint
