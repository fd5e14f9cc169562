// Docker Compose files (v2, v3, the Compose Specification): services.*.
// volumes (short "src:dst[:mode]" and long type: bind syntax, named volumes
// whose driver_opts bind a host device), privileged, pid/ipc/network_mode:
// host, cap_add, environment DOCKER_HOST=tcp://, and dockerd -H tcp:// in a
// service's command (docker:dind).
#pragma once
#include <yaml-cpp/yaml.h>

#include "lint/finding.h"

namespace sockwarden::lint {

// true for a document with a `services:` map.
bool is_compose_file(const YAML::Node& doc);

void check_compose_file(FindingSink& sink, const YAML::Node& doc);

}  // namespace sockwarden::lint
