set(SW_DECODE_SOURCES
  decode/connect_correlator.cpp
  decode/json_depth.cpp
  decode/chunked_body.cpp
  decode/http1_parser.cpp
  decode/docker_api_routes.cpp
  decode/docker_api_decoder.cpp
  decode/docker_create_summary.cpp
  decode/docker_exec_summary.cpp
  decode/docker_plugin_summary.cpp
  decode/risk_flags.cpp
  decode/severity.cpp
  decode/protobuf_wire.cpp
  decode/cri_summary.cpp
  decode/containerd_exec_summary.cpp
  decode/hpack_decoder.cpp
  decode/http2_frames.cpp
  decode/grpc_request.cpp
  decode/stream_reassembler.cpp
  decode/reply_matcher.cpp)
# The decoders alone (no BPF, no I/O): what the fuzz targets and the sanitised
# decoder tests compile. Paths relative to userspace/.
set(SW_DECODER_ONLY_SOURCES ${SW_DECODE_SOURCES})
list(REMOVE_ITEM SW_DECODER_ONLY_SOURCES decode/connect_correlator.cpp)
