// libFuzzer target: HTTP/1.x + Docker API decoding of arbitrary client streams.
#include "fuzz_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sockwarden::fuzz::run_stream(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
