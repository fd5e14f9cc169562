// One HTTP/2 client stream (headers + DATA) read as a gRPC call: method from
// :path, containerd-namespace, user agent, and the first length-prefixed
// message handed to the CRI/containerd summaries.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/decoded_request.h"

namespace sockwarden {

struct GrpcStream {
  const std::vector<std::pair<std::string, std::string>>& headers;
  std::string_view data;  // DATA bytes captured (may be cut)
  uint64_t data_bytes;    // DATA bytes on the wire
  bool truncated;         // bytes missing or beyond the budget
  uint64_t origin;
};

DecodedRequest grpc_request_from_stream(const GrpcStream& s);

// "/containerd.services.tasks.v1.Tasks/Create" -> {"containerd.services.tasks.v1.Tasks", "Create"}.
std::pair<std::string, std::string> split_grpc_path(std::string_view path);

}  // namespace sockwarden
