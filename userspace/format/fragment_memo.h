// A group of members rendered once and copied into every line whose inputs are the same
// (issue 18: an event line is ~1.4 KB and ~60 members; most of them repeat from one line
// to the next, because consecutive events mostly come from the same caller on the same
// connection). The memo keeps the last rendering and the exact inputs it was made from:
// any input that differs renders it again, so a reused fragment is never stale, only
// the cost of a changed input is paid twice (compare, then render).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "format/json_writer.h"

namespace sockwarden {

// View: every input the rendering reads, as the caller has them (string_views allowed);
// Key: the same inputs owned, constructible from a View and comparable with one (the
// default, View itself, for keys of plain numbers). Render writes the members through a
// JsonWriter, as JsonWriter::members_text takes them.
template <typename View, typename Key = View>
class FragmentMemo {
 public:
  template <typename Render>
  std::string_view members(const View& inputs, Render render) {
    if (!key_ || !(*key_ == inputs)) {
      text_ = JsonWriter::members_text(render);
      key_.emplace(inputs);
    }
    return text_;
  }

 private:
  std::optional<Key> key_;
  std::string text_;
};

}  // namespace sockwarden
