// Captured bytes -> JSON line: the input is one or two connections' client
// writes (cut into writes by bytes of the input itself, some turned into
// capture gaps) fed to the request pipeline the agent runs (reassembly, HTTP/1
// and HTTP/2 + gRPC decoding, Docker/CRI summaries, severity, redaction), and
// every request event it produces is serialised as the agent writes it. Run
// with an RSS and malloc limit (run_fuzzer.sh), so an input that makes the
// agent balloon fails like a crash does. Invariants: no crash or sanitizer
// report, decoder state within --decoder-budget, every line valid JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/request_pipeline.h"
#include "events.h"
#include "format/ecs_json.h"

using namespace sockwarden;

namespace {

void check(bool ok) {
  if (!ok) abort();
}

void serialise(const Event& e) {
  // Any exception escapes and fails the run: the serialiser must replace invalid UTF-8
  // (issue 20), never throw on what a watched process sent.
  const std::string line = to_json_line(e);
  check(!line.empty() && nlohmann::json::accept(line));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ReassemblerOptions o;
  o.request_budget = 4096;
  o.max_connections = 8;
  o.decoder_budget = 256 * 1024;  // small, so the budget eviction runs too
  RequestPipeline pipeline(o, /*replies_visible=*/false);
  auto now = RequestPipeline::Clock::now();
  size_t pos = 0, n = 0;
  while (pos < in.size()) {
    uint8_t k = static_cast<uint8_t>(in[(pos * 131 + 7) % in.size()]);
    size_t len = std::min<size_t>(in.size() - pos, (k % 251) + 1);
    Event e;
    e.action = "send";
    e.tier = "socket-tp";
    e.socket_path = "/run/docker.sock";
    e.raw.kind = EventKind::Send;
    e.raw.client_sock_ino = (k & 0xc0) == 0xc0 ? 2 : 1;
    e.raw.bytes = len;
    if ((n++ % 13) == 12 && (k & 1)) e.raw.flags |= SW_F_PAYLOAD_NONE;  // a capture gap
    else e.raw.payload = std::string(in.substr(pos, len));
    for (const auto& ev : pipeline.on_send(e, now)) serialise(ev);
    pos += len;
  }
  for (const auto& ev : pipeline.flush()) serialise(ev);
  return 0;
}
