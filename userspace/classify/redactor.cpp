#include "classify/redactor.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string_view>

namespace sockwarden {

namespace {

constexpr std::string_view kMask = "[REDACTED]";

constexpr std::array<std::string_view, 7> kSecretHeaders = {
    "x-registry-auth", "x-registry-config", "authorization", "proxy-authorization",
    "cookie",          "set-cookie",        "x-auth-token"};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower((unsigned char)x) == y; });
}

std::vector<std::string>& extra_headers() {
  static std::vector<std::string> names;  // lower case
  return names;
}

bool is_secret_header(std::string_view name) {
  // "Name:" with optional whitespace before the colon (tolerated by lax parsers).
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  for (auto h : kSecretHeaders)
    if (iequals(name, h)) return true;
  for (const auto& h : extra_headers())
    if (iequals(name, h)) return true;
  return false;
}

// Header lines: "Name: value\r\n" -> "Name: [REDACTED]\r\n".
bool redact_headers(std::string& s) {
  bool changed = false;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t eol = s.find('\n', pos);
    size_t end = eol == std::string::npos ? s.size() : eol;
    std::string_view line(s.data() + pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && colon > 0 && is_secret_header(line.substr(0, colon))) {
      size_t vstart = pos + colon + 1;
      while (vstart < end && (s[vstart] == ' ' || s[vstart] == '\t')) vstart++;
      size_t vend = end;
      if (vend > vstart && s[vend - 1] == '\r') vend--;
      if (std::string_view(s.data() + vstart, vend - vstart) != kMask) {
        s.replace(vstart, vend - vstart, kMask);
        changed = true;
        end = vstart + kMask.size() + (end - vend);
      }
    }
    if (eol == std::string::npos) break;
    pos = end + 1;
  }
  return changed;
}

// Inside a JSON string starting after its opening quote at i: returns the
// index of the closing quote, or s.size() if the payload ends first.
size_t json_string_end(const std::string& s, size_t i) {
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
      continue;
    }
    if (s[i] == '"') return i;
    i++;
  }
  return s.size();
}

// "Env":["A=1","B=2"] -> "Env":["A=[REDACTED]","B=[REDACTED]"]
bool redact_env_arrays(std::string& s) {
  bool changed = false;
  size_t pos = 0;
  while ((pos = s.find("\"Env\"", pos)) != std::string::npos) {
    size_t i = pos + 5;
    while (i < s.size() && std::isspace((unsigned char)s[i])) i++;
    if (i >= s.size() || s[i] != ':') {
      pos = i;
      continue;
    }
    i++;
    while (i < s.size() && std::isspace((unsigned char)s[i])) i++;
    if (i >= s.size() || s[i] != '[') {
      pos = i;
      continue;
    }
    i++;
    while (i < s.size() && s[i] != ']') {
      if (s[i] != '"') {
        i++;
        continue;
      }
      size_t start = i + 1;
      size_t close = json_string_end(s, start);
      size_t eq = s.find('=', start);
      size_t value = (eq != std::string::npos && eq < close) ? eq + 1 : start;  // no '=': the whole entry
      if (std::string_view(s.data() + value, close - value) != kMask) {
        s.replace(value, close - value, kMask);
        changed = true;
        close = value + kMask.size();
      }
      i = close + 1;
    }
    pos = i;
  }
  return changed;
}

// ASCII classes, inline: the <cctype> calls cost a libc call per payload byte (every binary
// write is scanned), and a locale must not change what counts as a name.
bool is_name_start(unsigned char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_'; }
bool is_name_char(unsigned char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// Binary payloads: printable NAME=value runs lose their value.
bool redact_binary_env(std::string& s) {
  bool changed = false;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (!is_name_start(c)) {
      i++;
      continue;
    }
    size_t start = i;
    while (i < s.size() && is_name_char((unsigned char)s[i])) i++;
    if (i < s.size() && s[i] == '=' && i > start) {
      size_t v = i + 1;
      size_t e = v;
      while (e < s.size() && is_printable((unsigned char)s[e])) e++;
      if (e > v && std::string_view(s.data() + v, e - v) != kMask) {
        s.replace(v, e - v, kMask);
        changed = true;
        e = v + kMask.size();
      }
      i = e;
    }
  }
  return changed;
}

bool looks_binary(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') return true;
  return false;
}

}  // namespace

void set_extra_secret_headers(const std::vector<std::string>& names) {
  auto& out = extra_headers();
  out.clear();
  for (auto n : names) {
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(n);
  }
}

bool redact_payload_in_place(std::string& payload) {
  if (payload.empty()) return false;
  if (looks_binary(payload)) {
    // Every binary redaction is of a NAME=value run: without an '=' (memchr, not the
    // byte-by-byte name scan) there is nothing to do. Issue 18: ~750 instructions per
    // 64-byte binary write were spent finding that out.
    if (!std::memchr(payload.data(), '=', payload.size())) return false;
    return redact_binary_env(payload);
  }
  bool h = redact_headers(payload);
  bool e = redact_env_arrays(payload);
  return h || e;
}

RedactionResult redact_payload(const std::string& payload) {
  RedactionResult r{payload, false};
  r.redacted = redact_payload_in_place(r.payload);
  return r;
}

}  // namespace sockwarden
