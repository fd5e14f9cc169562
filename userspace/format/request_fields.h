// ECS fields of a decoded request event (event.action "request"): http.*,
// url.*, user_agent.*, event.severity and sockwarden.request; plus the one-line
// form the table shows.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "model/event.h"

namespace sockwarden {

// Adds the request's fields to an event object built by to_ecs_json.
void add_request_fields(nlohmann::json& j, const Event& e);

// "POST /containers/create 201 privileged,host-mount:/ (critical)".
std::string request_brief(const Event& e);

}  // namespace sockwarden
