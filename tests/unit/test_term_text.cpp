// Fitting untrusted text into terminal columns (output/term_text.h).
#include "format/term_text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "format/safe_text.h"

namespace sockwarden {
namespace {

// Columns a terminal gives to text we print (which never holds controls).
size_t shown_columns(const std::string& safe) {
  size_t cols = 0;
  for (size_t i = 0; i < safe.size();) {
    auto c = static_cast<unsigned char>(safe[i]);
    size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(safe[i + k]) & 0x3f);
    cols += codepoint_columns(cp);
    i += n;
  }
  return cols;
}

bool has_control(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return true;  // C1
  }
  return false;
}

TEST(TermText, AsciiFitsAndCuts) {
  size_t used = 0;
  EXPECT_EQ(fit_columns("abcdef", 6, false, &used), "abcdef");
  EXPECT_EQ(used, 6u);
  EXPECT_EQ(fit_columns("abcdefgh", 6, false, &used), "abc...");
  EXPECT_EQ(used, 6u);
  EXPECT_EQ(fit_columns("abcdefgh", 6, true), "...fgh");
  EXPECT_EQ(fit_columns("abcdefgh", 2), "..");
  EXPECT_EQ(fit_columns("abcdefgh", 0), "");
}

TEST(TermText, MultiByteCharactersCountColumnsNotBytes) {
  // é: 2 bytes, 1 column; 漢: 3 bytes, 2 columns; 🐳: 4 bytes, 2 columns.
  EXPECT_EQ(text_columns("caf\xc3\xa9"), 4u);
  EXPECT_EQ(text_columns("\xe6\xbc\xa2\xe5\xad\x97"), 4u);
  EXPECT_EQ(text_columns("\xf0\x9f\x90\xb3"), 2u);
  size_t used = 0;
  EXPECT_EQ(fit_columns("caf\xc3\xa9", 4, false, &used), "caf\xc3\xa9");  // fits although 5 bytes
  EXPECT_EQ(used, 4u);
}

TEST(TermText, CutsNeverSplitASequence) {
  const std::string wide = "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2";  // 5 x 2 columns
  for (size_t w = 0; w <= 12; ++w) {
    for (bool keep_end : {false, true}) {
      size_t used = 0;
      std::string out = fit_columns(wide, w, keep_end, &used);
      EXPECT_EQ(valid_utf8(out), out) << "width " << w;
      EXPECT_LE(shown_columns(out), w) << "width " << w << ": " << out;
      EXPECT_EQ(shown_columns(out), used);
    }
  }
  // 7 columns: two 2-column characters and the mark, never half a third one.
  EXPECT_EQ(fit_columns(wide, 7), "\xe6\xbc\xa2\xe5\xad\x97...");
  EXPECT_EQ(fit_columns(wide, 7, true), "...\xe5\xad\x97\xe6\xbc\xa2");
}

TEST(TermText, HostileBytesAreEscapedAndEscapesAreNeverSplit) {
  // ESC sequence, 8-bit CSI (C1 U+009B), a bidi override, a zero-width space,
  // invalid UTF-8, a lone continuation byte, a backslash.
  const std::string hostile = std::string("\x1b[2J") + "\xc2\x9b" "31m" + "\xe2\x80\xae" "evil" +
                              "\xe2\x80\x8b" + "\xff\xfe" + "\x80" + "a\\b";
  std::string all = fit_columns(hostile, 1000);
  EXPECT_FALSE(has_control(all)) << all;
  EXPECT_NE(all.find("\\x1b[2J"), std::string::npos) << all;
  EXPECT_NE(all.find("\\u009b31m"), std::string::npos) << all;
  EXPECT_NE(all.find("\\u{202e}evil"), std::string::npos) << all;
  EXPECT_NE(all.find("\\u{200b}"), std::string::npos) << all;
  EXPECT_NE(all.find("\\xff\\xfe\\x80"), std::string::npos) << all;
  EXPECT_NE(all.find("a\\\\b"), std::string::npos) << all;
  EXPECT_EQ(text_columns(hostile), all.size());  // escapes are ASCII: one column per byte
  // Where a cut may land: after the escaping of a whole prefix of the input.
  std::set<size_t> boundaries;
  for (size_t k = 0; k <= hostile.size(); ++k) {
    std::string p = fit_columns(hostile.substr(0, k), 1000);
    if (all.compare(0, p.size(), p) == 0) boundaries.insert(p.size());
  }
  for (size_t w = 0; w < all.size(); ++w) {
    std::string out = fit_columns(hostile, w);
    EXPECT_FALSE(has_control(out)) << w;
    EXPECT_LE(shown_columns(out), w);
    if (w <= 3) {
      EXPECT_EQ(out, std::string("...").substr(0, w));
      continue;
    }
    // A cut lands between escapes: what is kept is a prefix of the whole
    // escaping, and never ends in the middle of an escape ("\x1", "\u{20").
    ASSERT_EQ(out.substr(out.size() - 3), "...") << out;
    std::string body = out.substr(0, out.size() - 3);
    EXPECT_EQ(all.compare(0, body.size(), body), 0) << out;
    EXPECT_TRUE(boundaries.count(body.size())) << "width " << w << ": " << out;
  }
  EXPECT_EQ(fit_columns(std::string("a\x01\x02", 3), 8), "a\\x01...");
  EXPECT_EQ(fit_columns(std::string("a\x01\x02", 3), 7), "a...");  // never half an escape
  EXPECT_EQ(fit_columns(std::string("\x01\x02z", 3), 7, true), "...z");
}

TEST(TermText, CutRawKeepsWholeCharactersUnescaped) {
  EXPECT_EQ(cut_raw("abcdefgh", 6), "abc...");
  EXPECT_EQ(cut_raw("abc", 6), "abc");
  // "\x1b" takes 4 columns escaped: it is kept whole or not at all.
  EXPECT_EQ(cut_raw(std::string("ab\x1b" "cdef", 7), 7), "ab...");
  EXPECT_EQ(cut_raw("\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2", 6), "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2");  // 6 columns: fits
  EXPECT_EQ(cut_raw("\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2", 5), "\xe6\xbc\xa2...");
}

TEST(TermText, CutSafeStopsAtCharacterBoundaries) {
  EXPECT_EQ(cut_safe("abc\xe6\xbc\xa2z", 4), "abc");
  EXPECT_EQ(cut_safe("abc\xe6\xbc\xa2z", 5), "abc\xe6\xbc\xa2");
  EXPECT_EQ(cut_safe("abc", 10), "abc");
}

TEST(TermText, PadByColumns) {
  EXPECT_EQ(pad_columns("\xe6\xbc\xa2", 2, 4), "\xe6\xbc\xa2  ");
  EXPECT_EQ(pad_columns("42", 2, 5, true), "   42");
  EXPECT_EQ(pad_columns("toolong", 7, 3), "toolong");
}

}  // namespace
}  // namespace sockwarden
