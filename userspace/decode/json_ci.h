// Case-insensitive JSON member lookup, matching Go's encoding/json (dockerd
// decodes {"hostconfig":{"privileged":true}} like {"HostConfig":{"Privileged":true}}).
// Where several spellings are present a monitor must not pick the harmless one:
// callers get every match and decide conservatively.
#pragma once
#include <cctype>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "decode/json_depth.h"

namespace sockwarden {

using Json = nlohmann::ordered_json;

inline bool json_key_eq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Every member of object j whose key equals 'key' ignoring case, in document order.
inline std::vector<const Json*> json_members(const Json& j, std::string_view key) {
  std::vector<const Json*> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (json_key_eq(it.key(), key)) out.push_back(&it.value());
  return out;
}

// The last match (what Go ends up with), or nullptr.
inline const Json* json_member(const Json& j, std::string_view key) {
  auto m = json_members(j, key);
  return m.empty() ? nullptr : m.back();
}

// True if any spelling of the key is boolean true.
inline bool json_any_true(const Json& j, std::string_view key) {
  for (const Json* v : json_members(j, key))
    if (v->is_boolean() && v->get<bool>()) return true;
  return false;
}

// Every string value of the key (all spellings; a string or an array of strings).
inline std::vector<std::string> json_strings(const Json& j, std::string_view key) {
  std::vector<std::string> out;
  for (const Json* v : json_members(j, key)) {
    if (v->is_string()) out.push_back(v->get<std::string>());
    else if (v->is_array())
      for (const auto& e : *v)
        if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

// Parses a request body; discarded (is_discarded()) when it is not JSON or nests
// deeper than kMaxJsonDepth (the summary copies it recursively).
inline Json parse_json_body(std::string_view body) {
  if (!json_depth_within(body)) return Json(Json::value_t::discarded);
  return Json::parse(body.begin(), body.end(), nullptr, false);
}

}  // namespace sockwarden
