// Makes captured socket bytes safe to print and to embed in JSON.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace sockwarden {

// Printable ASCII stays as is; \n \r \t and backslash become two-character
// escapes; every other byte becomes \xHH (lowercase). The result is pure
// ASCII: valid UTF-8 for JSON whatever the payload was, free of terminal
// control sequences, and reversible (backslash is escaped too).
std::string escape_payload(std::string_view bytes);

// The JSON string whose value is escape_payload(bytes), quotes included,
// appended to out in one pass (the JSON writer's way, without a temporary).
void append_payload_json(std::string& out, std::string_view bytes);

// The same written at `out`, which has room for payload_json_max(bytes.size()) bytes;
// returns the length written.
constexpr size_t payload_json_max(size_t n) { return 5 * n + 2; }
size_t write_payload_json(char* out, std::string_view bytes);

}  // namespace sockwarden
