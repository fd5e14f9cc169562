#include "format/term_text.h"

#include <cstdint>
#include <vector>

#include "format/safe_text.h"

namespace sockwarden {
namespace {

struct Glyph {
  size_t begin = 0, len = 0;  // the input bytes
  std::string text;           // what is printed
  size_t columns = 0;
};

// Decodes the UTF-8 sequence at s[i] (RFC 3629: no overlongs, surrogates or
// code points above U+10FFFF). Returns its length, 0 if it is invalid.
size_t decode_utf8(std::string_view s, size_t i, char32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;
  char32_t v;
  if (c >= 0xc2 && c <= 0xdf) n = 2, v = c & 0x1f;
  else if (c == 0xe0) n = 3, lo = 0xa0, v = c & 0x0f;
  else if (c >= 0xe1 && c <= 0xec) n = 3, v = c & 0x0f;
  else if (c == 0xed) n = 3, hi = 0x9f, v = c & 0x0f;
  else if (c >= 0xee && c <= 0xef) n = 3, v = c & 0x0f;
  else if (c == 0xf0) n = 4, lo = 0x90, v = c & 0x07;
  else if (c >= 0xf1 && c <= 0xf3) n = 4, v = c & 0x07;
  else if (c == 0xf4) n = 4, hi = 0x8f, v = c & 0x07;
  else return 0;
  for (size_t k = 1; k < n; k++) {
    if (i + k >= s.size()) return 0;
    unsigned char lo_k = k == 1 ? lo : 0x80, hi_k = k == 1 ? hi : 0xbf;
    if (b(i + k) < lo_k || b(i + k) > hi_k) return 0;
    v = (v << 6) | (b(i + k) & 0x3f);
  }
  *cp = v;
  return n;
}

// Invisible format characters that reorder or hide text, and the Unicode
// line/paragraph separators.
bool hidden_format(char32_t cp) {
  return cp == 0x00ad || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
         (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x061c ||
         cp == 0x180e || (cp >= 0xe0000 && cp <= 0xe007f);
}

Glyph glyph_at(std::string_view s, size_t i) {
  static constexpr char kHex[] = "0123456789abcdef";
  Glyph g;
  g.begin = i;
  char32_t cp = 0;
  size_t n = decode_utf8(s, i, &cp);
  if (n == 0) {
    g.len = 1;  // one invalid byte: \xNN
    g.text = escape_for_terminal(s.substr(i, 1));
  } else if (cp == '\\') {
    g.len = 1;
    g.text = "\\\\";
  } else if (hidden_format(cp)) {
    g.len = n;
    g.text = "\\u{";
    bool started = false;
    for (int shift = 20; shift >= 0; shift -= 4) {
      unsigned d = (cp >> shift) & 0xf;
      if (d || started || shift < 16) {
        g.text += kHex[d];
        started = true;
      }
    }
    g.text += "}";
  } else {
    g.len = n;
    g.text = escape_for_terminal(s.substr(i, n));  // controls become \xNN / \u00NN
  }
  // Escapes are ASCII; a code point printed as is takes its own width.
  g.columns = g.text.size() == n && g.text == s.substr(i, n) ? codepoint_columns(cp) : g.text.size();
  return g;
}

}  // namespace

size_t codepoint_columns(char32_t cp) {
  // East Asian Wide (W) and Fullwidth (F) blocks, generously: Hangul Jamo,
  // CJK, Hangul syllables, compatibility forms, fullwidth forms, the
  // symbol/emoji blocks (several of which terminals draw 2 wide), planes 2-3.
  static constexpr struct {
    char32_t lo, hi;
  } kWide[] = {
      {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ff},   {0x2600, 0x27bf},
      {0x2b00, 0x2bff},   {0x2e80, 0x303e},   {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},
      {0xa000, 0xa4cf},   {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe10, 0xfe19},
      {0xfe30, 0xfe6f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x16fe0, 0x16fe4}, {0x17000, 0x18aff},
      {0x1b000, 0x1b2ff}, {0x1f000, 0x1faff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
  };
  for (const auto& r : kWide)
    if (cp >= r.lo && cp <= r.hi) return 2;
  return 1;
}

size_t text_columns(std::string_view s) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size();) {
    Glyph g = glyph_at(s, i);
    cols += g.columns;
    i += g.len;
  }
  return cols;
}

std::string fit_columns(std::string_view s, size_t columns, bool keep_end, size_t* used) {
  size_t cols = 0;
  std::string out;
  if (!keep_end) {
    // Walk from the start; stop as soon as the rest cannot fit, so a 16 KiB
    // payload line costs what the column shows.
    std::vector<Glyph> kept;
    size_t room = columns > kCutMark.size() ? columns - kCutMark.size() : 0;
    size_t kept_cols = 0, kept_upto = 0;  // the longest prefix that fits in `room`
    bool cut = false;
    for (size_t i = 0; i < s.size();) {
      Glyph g = glyph_at(s, i);
      if (cols + g.columns > columns) {
        cut = true;
        break;
      }
      cols += g.columns;
      out += g.text;
      if (cols <= room) kept_cols = cols, kept_upto = out.size();
      i += g.len;
    }
    if (!cut) {
      if (used) *used = cols;
      return out;
    }
    if (columns <= kCutMark.size()) {
      if (used) *used = columns;
      return std::string(kCutMark.substr(0, columns));
    }
    out.resize(kept_upto);
    out += kCutMark;
    if (used) *used = kept_cols + kCutMark.size();
    return out;
  }
  // Keep the end: only the last bytes can show. 4 bytes per column at most
  // (plus slack) is enough to know whether to cut; a sequence split at that
  // boundary is in what the cut drops.
  size_t window = (columns + 2) * 4;
  std::string_view tail = s.size() > window ? s.substr(s.size() - window) : s;
  bool cut = tail.size() < s.size();
  std::vector<Glyph> glyphs;
  for (size_t i = 0; i < tail.size();) {
    glyphs.push_back(glyph_at(tail, i));
    cols += glyphs.back().columns;
    i += glyphs.back().len;
  }
  if (!cut && cols <= columns) {
    for (auto& g : glyphs) out += g.text;
    if (used) *used = cols;
    return out;
  }
  if (columns <= kCutMark.size()) {
    if (used) *used = columns;
    return std::string(kCutMark.substr(0, columns));
  }
  size_t room = columns - kCutMark.size(), taken = 0;
  size_t first = glyphs.size();
  while (first > 0 && taken + glyphs[first - 1].columns <= room) taken += glyphs[--first].columns;
  out = std::string(kCutMark);
  for (size_t k = first; k < glyphs.size(); ++k) out += glyphs[k].text;
  if (used) *used = taken + kCutMark.size();
  return out;
}

std::string cut_raw(std::string_view s, size_t columns) {
  size_t room = columns > kCutMark.size() ? columns - kCutMark.size() : 0;
  size_t cols = 0, fit_room = 0;
  for (size_t i = 0; i < s.size();) {
    Glyph g = glyph_at(s, i);
    if (cols + g.columns > columns) return std::string(s.substr(0, fit_room)) + std::string(kCutMark.substr(0, columns));
    cols += g.columns;
    i += g.len;
    if (cols <= room) fit_room = i;
  }
  return std::string(s);
}

std::string cut_safe(std::string_view s, size_t columns) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = decode_utf8(s, i, &cp);
    size_t w = n ? codepoint_columns(cp) : 1;
    if (n == 0) n = 1;
    if (cols + w > columns) return std::string(s.substr(0, i));
    cols += w;
    i += n;
  }
  return std::string(s);
}

std::string pad_columns(std::string s, size_t have, size_t columns, bool right) {
  if (have >= columns) return s;
  std::string pad(columns - have, ' ');
  return right ? pad + s : s + pad;
}

}  // namespace sockwarden
