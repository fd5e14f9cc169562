// Untrusted text (comm, container names, paths, payload) fitted into a
// terminal column: escaped, measured in terminal columns rather than bytes,
// and cut without splitting a UTF-8 sequence or an escape.
//
// Every byte here may be chosen by whoever writes to a watched socket or names
// a container. Besides what escape_for_terminal (output/safe_text.h) escapes
// (C0/C1 controls, DEL, invalid UTF-8), a backslash is doubled (so "\x1b" typed
// by a caller cannot pass for an escaped ESC) and the invisible Unicode format
// characters are escaped as \u{XXXX}: bidirectional overrides (U+202A..202E,
// U+2066..2069) would let a name display reversed ("evil" shown as "live"),
// and zero-width ones would hide characters; U+2028/2029 may break a line.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace sockwarden {

// "..." in ASCII: one column per byte, whatever the locale.
inline constexpr std::string_view kCutMark = "...";

// Terminal columns a code point takes: 2 for East Asian Wide/Fullwidth and
// emoji, 1 for everything else that is printed as is. Over-estimates on
// purpose (combining marks count 1): a row shorter than the terminal is
// harmless, a longer one wraps.
size_t codepoint_columns(char32_t cp);

// Columns untrusted text takes once escaped.
size_t text_columns(std::string_view untrusted);

// Untrusted text escaped and cut to at most `columns` columns; a cut is marked
// with "..." at the cut end. keep_end: keep the end (paths), else the start.
// Returns the text and, in *used, the columns it takes.
std::string fit_columns(std::string_view untrusted, size_t columns, bool keep_end = false, size_t* used = nullptr);

// The longest prefix of untrusted text, in whole characters, that takes at
// most `columns` columns once escaped, still unescaped and followed by "..."
// if it was cut: for building a longer text that is fitted as a whole later.
std::string cut_raw(std::string_view untrusted, size_t columns);

// Text that is terminal-safe already (the output of fit_columns, our own
// ASCII) cut to at most `columns` columns at a character boundary.
std::string cut_safe(std::string_view safe, size_t columns);

// s (already terminal-safe, e.g. from fit_columns) padded with spaces to
// `columns`, given that it takes `have` columns; right: align right.
std::string pad_columns(std::string s, size_t have, size_t columns, bool right = false);

}  // namespace sockwarden
