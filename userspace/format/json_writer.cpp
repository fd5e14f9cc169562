#include "format/json_writer.h"

#include <algorithm>
#include <vector>

#include "format/safe_text.h"

namespace sockwarden {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// s, known to be valid UTF-8, quoted and escaped the way nlohmann's
// serializer does with ensure_ascii off: ", \, and C0 controls (the named
// ones short, the rest \u00XX); everything else, DEL and non-ASCII
// included, as is. Runs of plain bytes are appended in one go.
void append_escaped(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace

void JsonWriter::append_string(std::string& out, std::string_view s) {
  // The common case: printable ASCII without " or \, copied in one append.
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
    i++;
  }
  if (i == s.size()) {
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    out.append(s.data(), s.size());
    out += '"';
    return;
  }
  if (is_valid_utf8(s)) {
    append_escaped(out, s);
    return;
  }
  // Rare (a hostile comm, argv or path): the replacement allocates.
  append_escaped(out, valid_utf8(s));
}

void JsonWriter::number(double v) {
  separate();
  // nlohmann's own formatting (shortest round trip, its exponent rules, null
  // for NaN and infinities): doubles are rare (agent-stop's uptime).
  out_ += nlohmann::json(v).dump();
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
      std::stable_sort(members.begin(), members.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      begin_object();
      for (size_t i = 0; i < members.size(); i++) {
        if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
        key_escaped(members[i].first);
        value_at(*members[i].second, depth + 1);
      }
      end_object();
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
