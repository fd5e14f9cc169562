// Checks shared by every file format: a bind-mount source, an added
// capability, a DOCKER_HOST value. `who` names the workload in the message
// ("service web", "container app in Deployment/api", "docker run").
#pragma once
#include <string>
#include <string_view>

#include "lint/finding.h"

namespace sockwarden::lint {

// SW-LINT-001 / 002 when the host path carries a runtime socket.
void check_mount_source(FindingSink& sink, int line, std::string_view host_path, const std::string& who);

// SW-LINT-008: ALL critical, the isolation-breaking ones high, others medium.
void check_capability(FindingSink& sink, int line, std::string_view cap, const std::string& who);

// "tcp://..." (a DOCKER_HOST or -H value) is plaintext unless TLS is verified.
bool is_tcp_endpoint(std::string_view value);

// "true", "True", "TRUE", "yes", "on" (YAML 1.1 and compose spellings).
bool yaml_true(std::string_view value);

}  // namespace sockwarden::lint
