#include "format/json_writer.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "format/safe_text.h"

namespace sockwarden {
namespace {

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void JsonWriter::grow(size_t n) {
  // Zero-filled by resize: a line is ~1.5 KiB, so this is a small memset per line, not per piece.
  out_.resize(std::max({out_.size() * 2, pos_ + n, pos_ + 1024}));
}

// s, known to be valid UTF-8, quoted and escaped the way nlohmann's
// serializer does with ensure_ascii off: ", \, and C0 controls (the named
// ones short, the rest \u00XX); everything else, DEL and non-ASCII
// included, as is. Runs of plain bytes are copied in one go.
void JsonWriter::put_escaped(std::string_view s) {
  put('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    put(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': put("\\\"", 2); break;
      case '\\': put("\\\\", 2); break;
      case '\b': put("\\b", 2); break;
      case '\f': put("\\f", 2); break;
      case '\n': put("\\n", 2); break;
      case '\r': put("\\r", 2); break;
      case '\t': put("\\t", 2); break;
      default: {
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        put(u, sizeof u);
      }
    }
  }
  put(s.data() + run, s.size() - run);
  put('"');
}

// How many leading bytes of s need no escape (printable ASCII other than " and \), eight at a
// time: a byte >= 0x80, < 0x20, or equal to '"' or '\\' sets its top bit in `special`
// (the classic has-zero-byte test, on x and on x XOR the byte looked for).
static size_t plain_ascii_prefix(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    const uint64_t quote = x ^ (kOnes * '"'), backslash = x ^ (kOnes * '\\');
    const uint64_t special = (x | ((x - kOnes * 0x20) & ~x) | ((quote - kOnes) & ~quote) |
                              ((backslash - kOnes) & ~backslash)) & kHigh;
    if (special) break;
  }
  return i;
}

void JsonWriter::put_string(std::string_view s) {
  // The common case: printable ASCII without " or \, copied at once.
  size_t i = plain_ascii_prefix(s);
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
    i++;
  }
  if (i == s.size()) {
    char* p = room(s.size() + 2);
    p[0] = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    pos_ += s.size() + 2;
    return;
  }
  if (is_valid_utf8(s)) {
    put_escaped(s);
    return;
  }
  // Rare (a hostile comm, argv or path): the replacement allocates.
  put_escaped(valid_utf8(s));
}

void JsonWriter::number(double v) {
  separate();
  // nlohmann's own formatting (shortest round trip, its exponent rules, null
  // for NaN and infinities): doubles are rare (agent-stop's uptime).
  const std::string text = nlohmann::json(v).dump();
  put(text.data(), text.size());
}

void JsonWriter::value(const nlohmann::ordered_json& v) { value_at(v, depth_); }

void JsonWriter::value_at(const nlohmann::ordered_json& v, int depth) {
  using nlohmann::ordered_json;
  if (depth >= kMaxDepth - 1 && (v.is_object() || v.is_array())) {
    null();
    return;
  }
  switch (v.type()) {
    case ordered_json::value_t::object: {
      // Sorted by key, as std::map orders them; for a key given twice the
      // last value wins, as with operator[].
      // A key that is not valid UTF-8 (a hostile body's) is sorted and
      // de-duplicated as the U+FFFD form it is written in.
      std::vector<std::string> replaced;
      replaced.reserve(v.size());  // no reallocation: the views below stay valid
      std::vector<std::pair<std::string_view, const ordered_json*>> members;
      members.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::string_view k = it.key();
        if (!is_valid_utf8(k)) k = replaced.emplace_back(valid_utf8(k));
        members.emplace_back(k, &it.value());
      }
      sorted_object(members, [&](const ordered_json* x) { value_at(*x, depth + 1); });
      return;
    }
    case ordered_json::value_t::array:
      begin_array();
      for (const auto& x : v) value_at(x, depth + 1);
      end_array();
      return;
    case ordered_json::value_t::string: string(v.get_ref<const std::string&>()); return;
    case ordered_json::value_t::boolean: boolean(v.get<bool>()); return;
    case ordered_json::value_t::number_integer: number(v.get<int64_t>()); return;
    case ordered_json::value_t::number_unsigned: number(v.get<uint64_t>()); return;
    case ordered_json::value_t::number_float: number(v.get<double>()); return;
    default: null(); return;  // null, discarded, binary (never built by a decoder)
  }
}

}  // namespace sockwarden
