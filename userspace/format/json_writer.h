// Writes JSON text straight into a string: the one serializer of every event
// line (format/ecs_json.cpp and the field writers it calls). No tree, no
// allocation per member: building, dumping and freeing an nlohmann::json tree
// per event was most of the agent's CPU (bench/RESULTS.md, issue 18).
//
// Members must be written in the order nlohmann's std::map would sort them
// (byte order of the key): event lines have always been in that canonical
// form, and tests check it (a line equals its own parse-and-dump).
//
// Strings are made safe as they are written: attacker-chosen text (comm,
// argv, paths, decoded request fields) that is not valid UTF-8 gets U+FFFD
// exactly as safe_dump would, so this never throws on any input.
#pragma once
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sockwarden {

#define SW_JSON_INLINE inline __attribute__((always_inline))

class JsonWriter {
 public:
  // Deeper values (only a decoder's summary could nest) are written as null.
  static constexpr int kMaxDepth = 48;

  // Appends to `out`. Until finish() (or the writer's end) `out` is sized ahead of what was
  // written: the writer keeps its own cursor and copies with memcpy, instead of a call into
  // libstdc++'s append per piece (bench/RESULTS.md, issue 18: that was a quarter of the agent).
  explicit JsonWriter(std::string& out) : out_(out), pos_(out.size()) {}
  ~JsonWriter() {
    if (!keep_room_) finish();
  }
  // Writes over `buffer` from its start and leaves its size alone: the text is
  // buffer[0, length()). For a reused buffer (render_json_line): trimming it to
  // the text and growing it again zero-filled ~2 KiB per line.
  static JsonWriter over(std::string& buffer) { return JsonWriter(buffer, 0); }
  size_t length() const { return pos_; }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // `out` holds exactly the text written so far (the writer may go on afterwards: out_ never
  // holds less than the text, so the cursor stays valid).
  void finish() { out_.resize(pos_); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // A member name of the event schema (a literal: ASCII, nothing to escape);
  // the next call writes its value.
  // Inlined at every call: the key is a literal there, so its copy is a few moves of a known size.
  SW_JSON_INLINE void key(std::string_view k) {
    // One copy of ,"k": (the hot path: an event line has ~60 members).
    char* p = room(k.size() + 4);
    char* const begin = p;
    if (take_comma()) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    pos_ += static_cast<size_t>(p - begin);
    after_key_ = true;
  }
  // A member name that came from outside (a decoded body's keys): escaped
  // and made valid UTF-8 like any string value.
  void key_escaped(std::string_view k) {
    separate();
    put_string(k);
    put(':');
    after_key_ = true;
  }

  void string(std::string_view s) {
    separate();
    put_string(s);
  }
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  void number(T v) {
    separate();
    char* p = room(24);
    auto r = std::to_chars(p, p + 24, v);
    pos_ += static_cast<size_t>(r.ptr - p);
  }
  void number(double v);
  // An integer as a JSON string ("123"): ECS types some ids as keyword.
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  void number_string(T v) {
    separate();
    char* p = room(26);
    p[0] = '"';
    auto r = std::to_chars(p + 1, p + 25, v);
    *r.ptr = '"';
    pos_ += static_cast<size_t>(r.ptr + 1 - p);
  }
  // A string the schema defines (a literal: printable ASCII without " or \), copied as is:
  // issue 18's profile had put_string's checks at ~90 instructions per value.
  void literal(std::string_view s) {
    separate();
    char* p = room(s.size() + 2);
    p[0] = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    pos_ += s.size() + 2;
  }
  void boolean(bool v) {
    separate();
    if (v) put("true", 4);
    else put("false", 5);
  }
  void null() {
    separate();
    put("null", 4);
  }
  // A value rendered elsewhere as valid JSON text.
  void raw(std::string_view json_text) {
    separate();
    put(json_text.data(), json_text.size());
  }
  // A value written in place by fill(char* at), which writes at most `max` bytes of valid
  // JSON text there and returns how many (a payload: format/payload_escape.h).
  template <typename Fill>
  void raw_in_place(size_t max, Fill fill) {
    separate();
    char* p = room(max);
    pos_ += fill(p);
  }
  // Members rendered elsewhere ("a":1,"b":2, no braces: members_text below), written into the
  // object in progress as if each had been written here. Empty: nothing.
  void raw_members(std::string_view members) {
    if (members.empty()) return;
    if (take_comma()) put(',');
    put(members.data(), members.size());
  }
  // The members `write` writes, rendered for raw_members.
  template <typename Write>
  static std::string members_text(Write write) {
    std::string out;
    {
      JsonWriter w(out);
      w.begin_object();
      write(w);
      w.end_object();
    }
    return out.substr(1, out.size() - 2);
  }

  // Any nlohmann value (a decoder's free-form summary): objects are written
  // with their keys sorted, as the std::map-based nlohmann::json would.
  void value(const nlohmann::ordered_json& v);

  // An object of members that came from outside, as a std::map would hold them: sorted by key,
  // and a key given twice written once, with its last value (as operator[] leaves it). Keys
  // must be valid UTF-8 already (they sort as they are written); write_value(value) writes each.
  template <typename Value, typename WriteValue>
  void sorted_object(std::vector<std::pair<std::string_view, Value>>& members, WriteValue write_value) {
    std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    begin_object();
    for (size_t i = 0; i < members.size(); i++) {
      if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
      key_escaped(members[i].first);
      write_value(members[i].second);
    }
    end_object();
  }

  // Shorthands for "key": value.
  void member(std::string_view k, std::string_view v) { key(k), string(v); }
  void member(std::string_view k, const char* v) { key(k), string(v); }
  void member(std::string_view k, const std::string& v) { key(k), string(v); }
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  void member(std::string_view k, T v) {
    key(k), number(v);
  }
  void member_bool(std::string_view k, bool v) { key(k), boolean(v); }
  // "k":"v", left out when v is empty (the event schema omits empty fields).
  void member_if(std::string_view k, std::string_view v) {
    if (!v.empty()) member(k, v);
  }
  template <typename Strings>
  void string_array(const Strings& v) {
    begin_array();
    for (const auto& s : v) string(s);
    end_array();
  }

  // s as a quoted JSON string, as nlohmann's dump(-1, ' ', false, replace)
  // writes it: ", \ and controls escaped, valid UTF-8 passed through, each
  // invalid sequence replaced by U+FFFD.
  static void append_string(std::string& out, std::string_view s) { JsonWriter(out).put_string(s); }

 private:
  // Room for n more bytes at the cursor: out_ is grown (never by less than
  // double) when it lacks them. out_ past the cursor is not text yet.
  SW_JSON_INLINE char* room(size_t n) {
    if (out_.size() - pos_ < n) grow(n);
    return out_.data() + pos_;
  }
  void grow(size_t n);
  SW_JSON_INLINE void put(char c) {
    *room(1) = c;
    pos_++;
  }
  SW_JSON_INLINE void put(const char* s, size_t n) {
    char* p = room(n);
    if (n) std::memcpy(p, s, n);  // (an empty view's data() may be null)
    pos_ += n;
  }
  void put_string(std::string_view s);
  void put_escaped(std::string_view s);  // s is valid UTF-8

  // Whether the next member or element needs a comma before it; it is no longer the first.
  bool take_comma() {
    if (depth_ == 0) return false;
    const bool comma = !first_[depth_ - 1];
    first_[depth_ - 1] = false;
    return comma;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (take_comma()) put(',');
  }
  void open(char c) {
    separate();
    put(c);
    if (depth_ < kMaxDepth) first_[depth_] = true;
    depth_++;
  }
  void close(char c) {
    depth_--;
    put(c);
  }
  void value_at(const nlohmann::ordered_json& v, int depth);
  JsonWriter(std::string& buffer, size_t pos) : out_(buffer), pos_(pos), keep_room_(true) {}

  std::string& out_;
  size_t pos_;  // the cursor: the text is out_[0, pos_), out_ past it is room
  bool first_[kMaxDepth] = {};
  int depth_ = 0;
  bool after_key_ = false;
  bool keep_room_ = false;
};

}  // namespace sockwarden
