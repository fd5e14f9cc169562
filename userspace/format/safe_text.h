// Text that came from watched processes, containers and users' files, made
// safe for where it goes. Every such byte is attacker-chosen: a JSON dump that
// meets invalid UTF-8 throws (nlohmann's default strict handler), and a
// terminal that meets ESC/CR lets the attacker rewrite a report. Nothing here
// throws on any input.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sockwarden {

// The one way this code base serializes JSON: invalid UTF-8 becomes U+FFFD
// instead of an exception (nlohmann's error_handler_t::replace).
std::string safe_dump(const nlohmann::json& j, int indent = -1);
std::string safe_dump(const nlohmann::ordered_json& j, int indent = -1);

// s with every invalid UTF-8 sequence replaced by U+FFFD, as safe_dump does.
std::string valid_utf8(std::string_view s);
// Whether s is valid UTF-8 (RFC 3629), i.e. valid_utf8(s) == s. Allocates nothing.
bool is_valid_utf8(std::string_view s);

// For human-readable reports: C0 controls (ESC, CR, LF, TAB, ...), DEL and
// the C1 range (U+0080..U+009F, which some terminals take as CSI) become
// \xNN / \u00NN; invalid UTF-8 bytes become \xNN. Printable UTF-8 stays.
std::string escape_for_terminal(std::string_view s);

}  // namespace sockwarden
