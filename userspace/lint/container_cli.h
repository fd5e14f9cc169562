// Findings in command lines: `docker|podman|nerdctl [container] run|create`
// flags (-v/--volume, --mount type=bind, --privileged, --pid/--network/--ipc
// host, --cap-add), `docker -H tcp://...` clients and `dockerd -H tcp://...`
// without --tlsverify. Quoted words that hold a whole command (sh -c "...",
// a YAML "docker run ..." string) are scanned too.
#pragma once
#include <vector>

#include "lint/finding.h"
#include "lint/shell_tokens.h"

namespace sockwarden::lint {

void check_command_tokens(FindingSink& sink, const std::vector<Token>& tokens);

// Only the daemon side: tokens after "dockerd" (or a dind container's args).
void check_dockerd_args(FindingSink& sink, const std::vector<Token>& args, int line_of_dockerd);

// `docker run` options in a string (Jenkins' docker.image(...).inside('-v ...')).
void check_run_option_string(FindingSink& sink, const std::string& options, int line, const std::string& who);

}  // namespace sockwarden::lint
