#include "decode/grpc_request.h"

#include "decode/cri_summary.h"

namespace sockwarden {

std::pair<std::string, std::string> split_grpc_path(std::string_view path) {
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string(path), {}};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

DecodedRequest grpc_request_from_stream(const GrpcStream& s) {
  DecodedRequest r;
  r.protocol = "http/2";
  r.origin = s.origin;
  std::string grpc_encoding;
  for (const auto& [name, value] : s.headers) {
    if (name == ":method") r.method = value;
    else if (name == ":path") r.target = value;
    else if (name == "user-agent") r.user_agent = value.substr(0, 512);
    else if (name == "containerd-namespace") r.containerd_namespace = value.substr(0, 256);
    else if (name == "grpc-encoding") grpc_encoding = value;
    else if (name == "content-length") {
      uint64_t n = 0;
      bool ok = !value.empty() && value.size() < 19;
      for (char c : value) ok = ok && c >= '0' && c <= '9', n = n * 10 + static_cast<uint64_t>(c - '0');
      if (ok) r.content_length = n;
    }
  }
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  std::tie(r.grpc_service, r.grpc_method) = split_grpc_path(r.path);
  r.body_bytes = s.data_bytes;
  r.truncated = s.truncated;
  // gRPC message: 1 byte compressed flag, 4 bytes big-endian length, message.
  std::string_view msg;
  bool complete = false;
  if (s.data.size() >= 5) {
    bool compressed = s.data[0] != 0;
    uint64_t len = (uint64_t(uint8_t(s.data[1])) << 24) | (uint64_t(uint8_t(s.data[2])) << 16) |
                   (uint64_t(uint8_t(s.data[3])) << 8) | uint64_t(uint8_t(s.data[4]));
    msg = s.data.substr(5, len);
    complete = msg.size() == len && !s.truncated;
    if (compressed) {
      r.add_anomaly("compressed-message:" + (grpc_encoding.empty() ? std::string("unknown") : grpc_encoding));
      r.unparsed_body = true;
      msg = {};
    }
  } else if (s.data_bytes > 0) {
    r.unparsed_body = true;
  }
  summarize_grpc_request(r, msg, complete);
  return r;
}

}  // namespace sockwarden
