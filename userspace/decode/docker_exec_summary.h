// POST /containers/{id}/exec (exec create) and POST /exec/{id}/start.
#pragma once
#include "model/decoded_request.h"
#include "decode/json_ci.h"

namespace sockwarden {

void summarize_exec_create(DecodedRequest& r, const Json& body);
void summarize_exec_start(DecodedRequest& r, const Json& body);

}  // namespace sockwarden
