#include "decode/reply_matcher.h"

namespace sockwarden {

std::optional<int> parse_status_line(std::string_view r) {
  // "HTTP/1.x SP 3DIGIT"
  if (r.size() < 12 || r.substr(0, 7) != "HTTP/1." || r[8] != ' ') return std::nullopt;
  int code = 0;
  for (int i = 9; i < 12; i++) {
    if (r[i] < '0' || r[i] > '9') return std::nullopt;
    code = code * 10 + (r[i] - '0');
  }
  if (code < 100 || (r.size() > 12 && r[12] != ' ' && r[12] != '\r' && r[12] != '\n')) return std::nullopt;
  return code;
}

std::string_view reply_body_start(std::string_view r) {
  auto end = r.find("\r\n\r\n");
  if (end == std::string_view::npos) return {};
  return r.substr(end + 4);
}

std::string reply_object_id(std::string_view body) {
  // Go's encoding/json writes {"Id":"..."} with no space; tolerate spaces anyway.
  size_t i = 0;
  auto skip = [&] {
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) i++;
  };
  skip();
  if (i >= body.size() || body[i++] != '{') return {};
  skip();
  constexpr std::string_view kKey = "\"Id\"";
  if (body.substr(i, kKey.size()) != kKey) return {};
  i += kKey.size();
  skip();
  if (i >= body.size() || body[i++] != ':') return {};
  skip();
  if (i >= body.size() || body[i++] != '"') return {};
  std::string id;
  while (i < body.size() && body[i] != '"' && id.size() <= 64) {
    char c = body[i++];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    id.push_back(c);
  }
  if (i >= body.size() || body[i] != '"' || id.size() != 64) return {};
  return id;
}

}  // namespace sockwarden
