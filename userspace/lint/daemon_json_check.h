// Docker's daemon.json: "hosts" with a tcp:// address and no "tlsverify": true
// (dockerd(8) merges it with -H; the usual way a daemon ends up on 2375).
#pragma once
#include <string>
#include <vector>

#include "lint/finding.h"

namespace sockwarden::lint {

// false (and an error message) when the file is not valid JSON.
bool check_daemon_json(FindingSink& sink, const std::string& text, const std::vector<std::string>& lines,
                       std::string& error);

}  // namespace sockwarden::lint
