#include "format/payload_escape.h"

namespace sockwarden {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Calls put(text) with the escaped form of each byte, in order; runs of
// printable ASCII are passed as one piece.
template <typename Put>
void escape_bytes(std::string_view bytes, Put&& put) {
  size_t run = 0;  // start of the pending run of printable bytes
  for (size_t i = 0; i < bytes.size(); i++) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') continue;
    if (i > run) put(bytes.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '\n': put("\\n"); break;
      case '\r': put("\\r"); break;
      case '\t': put("\\t"); break;
      case '\\': put("\\\\"); break;
      default: {
        const char hex[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
        put(std::string_view(hex, 4));
      }
    }
  }
  if (bytes.size() > run) put(bytes.substr(run));
}

}  // namespace

std::string escape_payload(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  escape_bytes(bytes, [&](std::string_view s) { out += s; });
  return out;
}

void append_payload_json(std::string& out, std::string_view bytes) {
  // The escaped payload is printable ASCII: of JSON's escapes only " and \
  // can occur in it.
  out.reserve(out.size() + bytes.size() + bytes.size() / 4 + 2);
  out += '"';
  escape_bytes(bytes, [&](std::string_view s) {
    size_t start = 0;
    for (size_t i = 0; i < s.size(); i++) {
      if (s[i] != '"' && s[i] != '\\') continue;
      out.append(s.data() + start, i - start);
      out += '\\';
      start = i;  // the byte itself goes out with the next piece
    }
    out.append(s.data() + start, s.size() - start);
  });
  out += '"';
}

}  // namespace sockwarden
