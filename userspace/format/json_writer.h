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
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace sockwarden {

class JsonWriter {
 public:
  // Deeper values (only a decoder's summary could nest) are written as null.
  static constexpr int kMaxDepth = 48;

  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // A member name of the event schema (a literal: ASCII, nothing to escape);
  // the next call writes its value.
  void key(std::string_view k) {
    // One append of ,"k": (the hot path: an event line has ~60 members).
    char buf[72];
    if (k.size() > sizeof buf - 4) {
      separate();
      out_ += '"';
      out_ += k;
      out_ += "\":";
    } else {
      size_t n = 0;
      if (take_comma()) buf[n++] = ',';
      buf[n++] = '"';
      k.copy(buf + n, k.size());
      n += k.size();
      buf[n++] = '"';
      buf[n++] = ':';
      out_.append(buf, n);
    }
    after_key_ = true;
  }
  // A member name that came from outside (a decoded body's keys): escaped
  // and made valid UTF-8 like any string value.
  void key_escaped(std::string_view k) {
    separate();
    append_string(out_, k);
    out_ += ':';
    after_key_ = true;
  }

  void string(std::string_view s) {
    separate();
    append_string(out_, s);
  }
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  void number(T v) {
    separate();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  void number(double v);
  void boolean(bool v) {
    separate();
    out_ += v ? "true" : "false";
  }
  void null() {
    separate();
    out_ += "null";
  }
  // A value rendered elsewhere as valid JSON text.
  void raw(std::string_view json_text) {
    separate();
    out_ += json_text;
  }
  // The output, positioned for a value the caller appends itself (valid JSON
  // text: a timestamp, an escaped payload).
  std::string& raw_value() {
    separate();
    return out_;
  }
  // Any nlohmann value (a decoder's free-form summary): objects are written
  // with their keys sorted, as the std::map-based nlohmann::json would.
  void value(const nlohmann::ordered_json& v);

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
  static void append_string(std::string& out, std::string_view s);

 private:
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
    if (take_comma()) out_ += ',';
  }
  void open(char c) {
    separate();
    out_ += c;
    if (depth_ < kMaxDepth) first_[depth_] = true;
    depth_++;
  }
  void close(char c) {
    depth_--;
    out_ += c;
  }
  void value_at(const nlohmann::ordered_json& v, int depth);

  std::string& out_;
  bool first_[kMaxDepth] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace sockwarden
