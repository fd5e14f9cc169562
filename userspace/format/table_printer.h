// Human-readable, one-line-per-event table for `sockwarden trace`.
#pragma once
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include "model/event.h"

namespace sockwarden {

class TablePrinter {
 public:
  explicit TablePrinter(std::ostream& out, bool color = false) : out_(out), color_(color) {}

  void print_header();
  void print(const Event& e);

 private:
  std::ostream& out_;
  bool color_;
};

// Helpers shared with the summary table.

// Untrusted text (comm, paths, payload) made terminal-safe with escape_payload
// and cut to `width` characters, keeping the end ("..." marks the cut).
std::string fit_left(std::string_view text, size_t width);
// Same, keeping the beginning.
std::string fit_right(std::string_view text, size_t width);

// Short, recognizable cgroup label: the first 12 hex chars of the last 64-hex
// container id in the path (what `docker ps` shows), else the last path
// component; "-" when unknown. At most `width` characters.
std::string short_cgroup(const std::string& cgroup_path, size_t width = 24);

// "HH:MM:SS.mmm" in local time.
std::string local_time_ms(uint64_t realtime_ns);

}  // namespace sockwarden
