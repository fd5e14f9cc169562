// Docker Engine API routes (and podman's compatible and libpod APIs): split the
// request target into API version, path and query, and name the operation.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "model/decoded_request.h"

namespace sockwarden {

struct SplitTarget {
  std::string path;         // "/containers/create" (libpod keeps its "/libpod" prefix)
  std::string query;        // without '?'
  std::string api_version;  // "1.50", "4.0.0" ("" if none)
};

// "/v1.50/containers/create?name=x" -> {"/containers/create", "name=x", "1.50"}.
// A path that is not absolute ("*", "http://host/...") keeps its text as path.
SplitTarget split_target(std::string_view target);

// The operation a (method, path) names: "container-create", "exec-create",
// "exec-start", "container-attach", "image-pull", "image-build", "image-load", "image-tag", "archive-upload",
// "archive-download", "container-inspect", "container-logs", "container-export",
// "plugin-install", "swarm", "secret", "config", "session", "grpc-session", "ping", "other".
std::string docker_operation(std::string_view method, std::string_view path);

// Whether dockerd hijacks the connection after this request (attach, exec start
// without Detach, BuildKit /session and /grpc): what follows is a terminal or
// BuildKit stream, not HTTP/1.x. An Upgrade header alone does not do it.
bool docker_hijacks(const DecodedRequest& r);

// Query value of 'key' (percent-decoded), "" if absent.
std::string query_param(std::string_view query, std::string_view key);
// Every value of a repeated key ("t=a&t=b": {"a", "b"}), at most `max`.
std::vector<std::string> query_params(std::string_view query, std::string_view key, size_t max = 16);
// The object a path names: "/containers/<ref>/start" -> "<ref>", "/exec/<id>/start" -> "<id>"
// (a "/libpod" prefix is skipped); "" when the path has a single segment.
std::string path_object(const std::string& path);
std::string percent_decode(std::string_view s);

}  // namespace sockwarden
