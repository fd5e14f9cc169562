// Shell scripts, Makefiles, Jenkinsfiles and CI YAML (GitHub workflow run:
// blocks, GitLab CI script:) read as text: container CLI command lines,
// DOCKER_HOST=tcp://... and Jenkins' docker.image(...).inside('-v ...').
#pragma once
#include <string>
#include <vector>

#include "lint/finding.h"

namespace sockwarden::lint {

void check_text_file(FindingSink& sink, const std::vector<std::string>& lines);

// DOCKER_HOST=tcp://... (or DOCKER_HOST: tcp://...) without a DOCKER_TLS_VERIFY=1
// anywhere in the same file.
void check_docker_host_lines(FindingSink& sink, const std::vector<std::string>& lines);

}  // namespace sockwarden::lint
