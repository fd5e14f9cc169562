// Human-readable, one-line-per-event table for `sockwarden trace`.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "model/event.h"

namespace sockwarden {

// Column widths for one terminal width: which columns show and how wide.
// Width 0 = unlimited: every column at its full width, DETAIL uncut (but for
// its own caps). Otherwise the row fits in `width` columns: the widest of
// COMM, CONTAINER and SOCKET shrinks first (down to 10, 16 and 16 columns),
// then columns are left out (SOCKET, UID, BYTES, FLAG, PID, COMM, CONTAINER,
// in that order) until DETAIL has 32 columns; DETAIL takes what is left, cut
// with "...". TIME and ACTION always show.
struct TableLayout {
  static constexpr size_t kColumns = 9;  // TIME PID COMM UID CONTAINER SOCKET ACTION FLAG BYTES, then DETAIL
  std::array<size_t, kColumns> widths{};  // 0 = left out
  size_t detail = 0;                      // DETAIL's columns (SIZE_MAX: unlimited)
  size_t total = 0;                       // the terminal width (0: unlimited)

  static TableLayout for_width(size_t width);
};

class TablePrinter {
 public:
  explicit TablePrinter(std::ostream& out, bool color = false, size_t width = 0)
      : out_(out), color_(color), layout_(TableLayout::for_width(width)) {}

  // A new terminal width (SIGWINCH); 0 = unlimited.
  void set_width(size_t width) { layout_ = TableLayout::for_width(width); }
  size_t width() const { return layout_.total; }

  void print_header();
  void print(const Event& e);

 private:
  std::ostream& out_;
  bool color_;
  TableLayout layout_;
};

// Helpers shared with the summary table.

// Untrusted text (comm, paths, payload) made terminal-safe (term_text.h) and
// cut to `width` columns, keeping the end ("..." marks the cut).
std::string fit_left(std::string_view text, size_t width);
// Same, keeping the beginning.
std::string fit_right(std::string_view text, size_t width);

// Short, recognizable cgroup label, not yet escaped: the first 12 hex chars of
// the last 64-hex container id in the path (what `docker ps` shows), else the
// last path component; "-" when unknown.
std::string short_cgroup_label(const std::string& cgroup_path);
// The same, fitted to at most `width` columns.
std::string short_cgroup(const std::string& cgroup_path, size_t width = 24);

// What the CONTAINER column says about a caller, in the rows and in Top
// callers alike (not yet escaped): the container's name, else its short id
// from the cgroup path, else the cgroup's last component.
std::string container_label(const std::string& container_name, const std::string& cgroup_path);
std::string container_label(const Event& e);

// "HH:MM:SS.mmm" in local time.
std::string local_time_ms(uint64_t realtime_ns);

}  // namespace sockwarden
