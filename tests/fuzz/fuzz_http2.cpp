// libFuzzer target: HTTP/2 frames, HPACK, gRPC and the CRI/containerd protobuf
// summaries. The connection preface is prepended so every input reaches the
// frame decoder.
#include "decode/protobuf_wire.h"
#include "fuzz_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string s(sockwarden::Http2Decoder::kPreface);
  s.append(in);
  sockwarden::fuzz::run_stream(s);
  // The protobuf reader alone, over the raw input.
  sockwarden::PbReader r(in);
  sockwarden::PbField f;
  while (r.next(f)) {
  }
  return 0;
}
