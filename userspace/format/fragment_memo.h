// A group of members rendered once and copied into every line whose inputs are the same
// (issue 18: an event line is ~1.4 KB and ~60 members; most of them repeat from one line
// to the next, because consecutive events mostly come from the same caller on the same
// connection). The memo keeps recent renderings and the exact inputs each was made from:
// a fragment is reused only for equal inputs, so it is never stale; new inputs cost a
// few compares more than rendering did.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "format/json_writer.h"

namespace sockwarden {

// Inputs: the types of every input the rendering reads, as the caller has them (numbers,
// std::string_view); the memo keeps its own copies (a string_view as a std::string) and
// compares them with the next inputs. Render writes the members through a JsonWriter, as
// JsonWriter::members_text takes them.
//
// kEntries renderings are kept, because lines of different kinds and callers interleave:
// a watched request is a connect, a send and a request line from the caller and a reply
// line from the daemon. The last one used is tried first; a miss replaces the oldest.
template <typename... Inputs>
class FragmentMemo {
 public:
  static constexpr size_t kEntries = 8;
  using View = std::tuple<Inputs...>;

  template <typename Render>
  std::string_view members(const View& inputs, Render render) {
    if (entries_[last_].key && *entries_[last_].key == inputs) return entries_[last_].text;
    for (size_t i = 0; i < kEntries; i++) {
      if (entries_[i].key && *entries_[i].key == inputs) {
        last_ = i;
        return entries_[i].text;
      }
    }
    Entry& e = entries_[next_];
    last_ = next_;
    next_ = (next_ + 1) % kEntries;
    e.text = JsonWriter::members_text(render);
    e.key.emplace(inputs);
    return e.text;
  }

 private:
  template <typename T>
  using Owned = std::conditional_t<std::is_same_v<T, std::string_view>, std::string, T>;
  struct Entry {
    std::optional<std::tuple<Owned<Inputs>...>> key;
    std::string text;
  };
  std::array<Entry, kEntries> entries_{};
  size_t last_ = 0;
  size_t next_ = 0;
};

}  // namespace sockwarden
