#include "format/payload_escape.h"

#include <array>
#include <cstring>

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

size_t write_payload_json(char* out, std::string_view bytes) {
  // Per byte, what escape_payload makes of it and JSON then escapes again: a backslash
  // becomes \\ and then \\\\, a quote \" (escape_payload keeps it). Issue 18's
  // profile: the two-stage form (escape_bytes, then a scan of each piece for " and \, then
  // append) cost ~1,500 instructions per 64-byte payload; runs of plain bytes are now
  // found with a table and copied at once.
  static constexpr auto kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7f; c++) t[c] = c != '"' && c != '\\';
    return t;
  }();
  char* p = out;
  *p++ = '"';
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && kPlain[static_cast<unsigned char>(bytes[j])]) j++;
    if (j > i) {
      std::memcpy(p, bytes.data() + i, j - i);
      p += j - i;
      i = j;
      if (i == n) break;
    }
    const auto c = static_cast<unsigned char>(bytes[i++]);
    switch (c) {
      case '"': *p++ = '\\'; *p++ = '"'; break;
      case '\\': std::memcpy(p, "\\\\\\\\", 4); p += 4; break;
      case '\n': std::memcpy(p, "\\\\n", 3); p += 3; break;
      case '\r': std::memcpy(p, "\\\\r", 3); p += 3; break;
      case '\t': std::memcpy(p, "\\\\t", 3); p += 3; break;
      default: {
        const char hex[5] = {'\\', '\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
        std::memcpy(p, hex, 5);
        p += 5;
      }
    }
  }
  *p++ = '"';
  return static_cast<size_t>(p - out);
}

void append_payload_json(std::string& out, std::string_view bytes) {
  const size_t at = out.size();
  out.resize(at + payload_json_max(bytes.size()));
  out.resize(at + write_payload_json(out.data() + at, bytes));
}

}  // namespace sockwarden
