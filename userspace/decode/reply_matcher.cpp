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

}  // namespace sockwarden
