// Names the Docker Engine API operation of a parsed HTTP/1.x request, decodes
// the bodies that matter and sets its risk flags.
#pragma once
#include "model/decoded_request.h"

namespace sockwarden {

// Fills r.operation, r.summary, r.risk; redacts secrets in r.query (buildargs values).
// Drops r.body afterwards (only the summary leaves the decoder).
void decode_docker_request(DecodedRequest& r);

}  // namespace sockwarden
