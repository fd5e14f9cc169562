#include "format/safe_text.h"

namespace sockwarden {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF): its length and whether it is valid. An invalid
// one is its "maximal subpart" (Unicode 15, 3.9: the longest prefix of a valid
// sequence, at least one byte), so that one U+FFFD replaces it exactly as
// nlohmann's error_handler_t::replace does.
struct Seq {
  size_t len;
  bool valid;
};

Seq utf8_seq(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return {1, true};
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c == 0xe0) n = 3, lo = 0xa0;
  else if (c >= 0xe1 && c <= 0xec) n = 3;
  else if (c == 0xed) n = 3, hi = 0x9f;
  else if (c >= 0xee && c <= 0xef) n = 3;
  else if (c == 0xf0) n = 4, lo = 0x90;
  else if (c >= 0xf1 && c <= 0xf3) n = 4;
  else if (c == 0xf4) n = 4, hi = 0x8f;
  else return {1, false};
  for (size_t k = 1; k < n; k++) {
    if (i + k >= s.size()) return {k, false};
    unsigned char lo_k = k == 1 ? lo : 0x80, hi_k = k == 1 ? hi : 0xbf;
    if (b(i + k) < lo_k || b(i + k) > hi_k) return {k, false};
  }
  return {n, true};
}

void hex_byte(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

}  // namespace

std::string safe_dump(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string safe_dump(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // the common case: ASCII
      i++;
      continue;
    }
    auto [n, valid] = utf8_seq(s, i);
    if (!valid) return false;
    i += n;
  }
  return true;
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto [n, valid] = utf8_seq(s, i);
    if (!valid) {
      out += "\xef\xbf\xbd";
      i += n;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string escape_for_terminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    auto [n, valid] = utf8_seq(s, i);
    if (!valid) {
      for (size_t k = 0; k < n; k++) hex_byte(out, static_cast<unsigned char>(s[i + k]));
      i += n;
    } else if (n == 1 && (c < 0x20 || c == 0x7f)) {
      hex_byte(out, c);
      i++;
    } else if (n == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
      out += "\\u00";
      out += kHex[static_cast<unsigned char>(s[i + 1]) >> 4];
      out += kHex[static_cast<unsigned char>(s[i + 1]) & 0xf];
      i += 2;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace sockwarden
