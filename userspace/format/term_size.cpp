#include "format/term_size.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

namespace sockwarden {
namespace {

volatile std::sig_atomic_t g_winch = 0;
void on_winch(int) { g_winch = 1; }

// Narrower than this, a row is only TIME and ACTION; wider than this is
// certainly a mistake in $COLUMNS.
constexpr size_t kMaxColumns = 10000;

}  // namespace

size_t choose_width(bool is_tty, std::optional<size_t> winsize_cols, const char* columns_env) {
  if (!is_tty) return 0;
  if (winsize_cols && *winsize_cols > 0) return *winsize_cols > kMaxColumns ? kMaxColumns : *winsize_cols;
  if (columns_env && *columns_env) {
    char* end = nullptr;
    unsigned long v = std::strtoul(columns_env, &end, 10);
    if (end && *end == '\0' && v > 0 && v <= kMaxColumns) return v;
  }
  return 80;
}

size_t terminal_width(int fd) {
  bool tty = isatty(fd) == 1;
  std::optional<size_t> cols;
  winsize ws{};
  if (tty && ioctl(fd, TIOCGWINSZ, &ws) == 0) cols = ws.ws_col;
  return choose_width(tty, cols, std::getenv("COLUMNS"));
}

void watch_window_size() {
  struct sigaction sa {};
  sa.sa_handler = on_winch;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGWINCH, &sa, nullptr);
}

bool window_size_changed() {
  if (!g_winch) return false;
  g_winch = 0;
  return true;
}

}  // namespace sockwarden
