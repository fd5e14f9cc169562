#include "agent/signals.h"

#include <signal.h>

#include <csignal>

namespace sockwarden {

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_reload = 0;
volatile std::sig_atomic_t g_stop_signal = 0;
volatile std::sig_atomic_t g_stop_sender = 0;

void on_signal(int sig, siginfo_t* info, void*) {
  g_stop = 1;
  g_stop_signal = sig;
  g_stop_sender = info ? info->si_pid : 0;
}
void on_reload(int) { g_reload = 1; }

}  // namespace

void install_agent_signal_handlers() {
  struct sigaction sa {};
  sa.sa_sigaction = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO;  // no SA_RESTART: a blocked poll returns so we can drain and exit
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction hup {};
  hup.sa_handler = on_reload;
  sigemptyset(&hup.sa_mask);
  sigaction(SIGHUP, &hup, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool stop_requested() { return g_stop != 0; }
int stop_signal() { return g_stop_signal; }
int stop_sender() { return g_stop_sender; }

bool take_reload_request() {
  if (!g_reload) return false;
  g_reload = 0;
  return true;
}

}  // namespace sockwarden
