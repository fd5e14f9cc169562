// How wide trace's table may be.
#pragma once
#include <cstddef>
#include <optional>

namespace sockwarden {

// 0 means unlimited (rows keep every column at full width; nothing wraps
// because nothing is a terminal: a pipe, a file, `less -S`).
//   stdout is a terminal: its width (TIOCGWINSZ), else $COLUMNS, else 80;
//   stdout is not one:    unlimited. ($COLUMNS is ignored there: shells set
//                         it for their own terminal, not for a pipe.)
size_t choose_width(bool is_tty, std::optional<size_t> winsize_cols, const char* columns_env);

// choose_width for a file descriptor, querying TIOCGWINSZ and $COLUMNS.
size_t terminal_width(int fd);

// SIGWINCH: a handler that only sets a flag (installed once, SA_RESTART so no
// system call fails for it), and the flag read-and-cleared.
void watch_window_size();
bool window_size_changed();

}  // namespace sockwarden
