// The agent's signals: SIGINT/SIGTERM end the capture loop (the ring buffer is
// drained first), SIGHUP asks for a config reload, SIGPIPE is ignored (a
// vanished log reader must not kill a monitor).
#pragma once

namespace sockwarden {

void install_agent_signal_handlers();
bool stop_requested();
// The stop signal and its sender's pid (0 if none / unknown), for the log and agent-stop.
int stop_signal();
int stop_sender();
// True once per SIGHUP.
bool take_reload_request();

}  // namespace sockwarden
