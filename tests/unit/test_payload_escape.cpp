#include "format/payload_escape.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace sockwarden {
namespace {

TEST(PayloadEscape, PrintableAsciiUnchanged) {
  EXPECT_EQ(escape_payload("GET /v1.43/containers/json HTTP/1.1"), "GET /v1.43/containers/json HTTP/1.1");
  EXPECT_EQ(escape_payload(" ~\"{}'"), " ~\"{}'");
  EXPECT_EQ(escape_payload(""), "");
}

TEST(PayloadEscape, ControlCharsAndBackslash) {
  EXPECT_EQ(escape_payload("a\r\nb\tc"), "a\\r\\nb\\tc");
  EXPECT_EQ(escape_payload("C:\\x"), "C:\\\\x");
  // Backslash is escaped, so a literal "\x41" cannot be confused with byte 0x41.
  EXPECT_EQ(escape_payload("\\x41"), "\\\\x41");
}

TEST(PayloadEscape, OtherBytesAsLowercaseHex) {
  EXPECT_EQ(escape_payload(std::string("\0\x01\x1b\x7f", 4)), "\\x00\\x01\\x1b\\x7f");
  EXPECT_EQ(escape_payload("\x80\xff\xAB"), "\\x80\\xff\\xab");
  // UTF-8 is not passed through: every non-ASCII byte is escaped.
  EXPECT_EQ(escape_payload("\xc3\xa9"), "\\xc3\\xa9");
  // HTTP/2 preface + frame header bytes.
  EXPECT_EQ(escape_payload(std::string("PRI *\x00\x00\x12\x04", 9)), "PRI *\\x00\\x00\\x12\\x04");
}

TEST(PayloadEscape, OutputIsAlwaysPrintableAscii) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string out = escape_payload(all);
  for (char c : out) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20);
    EXPECT_LT(static_cast<unsigned char>(c), 0x7f);
  }
  // 95 printable bytes minus backslash stay 1 char; backslash, \n, \r, \t take 2; the other 158 take 4.
  EXPECT_EQ(out.size(), 94u + 4u * 2u + 158u * 4u);
}

// The one-pass JSON form is the JSON string of escape_payload, for every byte value and for
// runs of plain bytes between escapes.
TEST(PayloadEscape, JsonFormIsTheJsonStringOfTheEscapedForm) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string cases[] = {"", "plain", "\"quoted\"", "a\\b", "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                               std::string("\0x\x01yy\xff", 6), all, all + "tail" + all};
  for (const auto& c : cases) {
    std::string out = "prefix";
    append_payload_json(out, c);
    EXPECT_EQ(out, "prefix" + nlohmann::json(escape_payload(c)).dump()) << c.size();
    EXPECT_LE(out.size() - 6, payload_json_max(c.size()));
  }
}

}  // namespace
}  // namespace sockwarden
