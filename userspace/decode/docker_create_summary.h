// POST /containers/create (Docker and podman's compat API) and podman's
// /libpod/containers/create: what the new container gets from the host.
#pragma once
#include "model/decoded_request.h"
#include "decode/json_ci.h"

namespace sockwarden {

// Fills r.summary and r.risk from the parsed body (r.query supplies the name).
void summarize_docker_create(DecodedRequest& r, const Json& body);

// Environment entries without their values: ["A=1","B"] -> ["A","B"]; {"A":"1"} -> ["A"].
Json env_names(const Json& env);

}  // namespace sockwarden
