// ECS fields of a decoded request event (event.action "request"): http.*,
// url.*, user_agent.* and sockwarden.request (event.severity and the dataset
// are written with the event object); plus the one-line form the table shows.
#pragma once
#include <string>

#include "format/json_writer.h"
#include "model/event.h"

namespace sockwarden {

// Each writes its top-level member of a request event (nothing if e has no
// request, or, for user_agent, no User-Agent).
void write_http_member(JsonWriter& w, const Event& e);
void write_url_member(JsonWriter& w, const Event& e);
void write_user_agent_member(JsonWriter& w, const Event& e);
// "request" inside the "sockwarden" object.
void write_request_member(JsonWriter& w, const Event& e);

// "POST /containers/create 201 privileged,host-mount:/ (critical)".
std::string request_brief(const Event& e);

}  // namespace sockwarden
