// gRPC request bodies of CRI (runtime.v1 / v1alpha2) and containerd services:
// operation name, summary and risk flags from the protobuf request message.
//
// Field numbers from k8s.io/cri-api pkg/apis/runtime/v1/api.proto and
// containerd api/services/{containers,tasks}/v1/*.proto.
#pragma once
#include <string_view>

#include "model/decoded_request.h"
#include "decode/json_ci.h"

namespace sockwarden {

// r.grpc_service / r.grpc_method are set; 'message' is the first gRPC message
// (protobuf, possibly cut: complete=false). Fills operation, summary, risk.
void summarize_grpc_request(DecodedRequest& r, std::string_view message, bool complete);

// The OCI runtime spec (JSON) of a containerd container or exec process.
void summarize_oci_spec(DecodedRequest& r, const Json& spec);

}  // namespace sockwarden
