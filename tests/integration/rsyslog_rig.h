// A private rsyslogd (Debian's package `rsyslog`) for the SIEM delivery tests: its own config,
// pid file, work directory, socket and output files under one directory, nothing on the
// network. It listens on a unix datagram socket (imuxsock), which is what the agent's syslog
// output speaks, parses each message's body with mmjsonparse and writes
//   events.json    the body (%msg%) of every message from APP-NAME `app` that parsed as JSON
//   fields.log     "APP-NAME MSGID $!event!action FACILITY SEVERITY" for those messages
//   unparsed.log   the messages from `app` whose body did not parse (must stay empty)
//   other.log      everything else (rsyslog's own messages)
#pragma once
#include <sys/types.h>

#include <string>

namespace swtest {

class Rsyslog {
 public:
  // Writes the config under `dir` (which must exist). Nothing runs yet.
  Rsyslog(const std::string& dir, const std::string& app);
  ~Rsyslog();  // stops it (SIGTERM by pid) if it runs
  Rsyslog(const Rsyslog&) = delete;
  Rsyslog& operator=(const Rsyslog&) = delete;

  // Validates the config (rsyslogd -N1), starts rsyslogd in the foreground and waits until its
  // socket accepts a datagram connection. "" on success, else what went wrong (rsyslogd
  // missing, config refused, never ready) with its output.
  std::string start();
  // SIGTERM by pid and waits for it to exit (rsyslog flushes its queue and files and removes
  // the socket). Returns the exit status (-1 if it was not running).
  int stop();

  pid_t pid() const { return pid_; }
  const std::string& socket_path() const { return socket_; }
  std::string events_path() const { return dir_ + "/events.json"; }
  std::string fields_path() const { return dir_ + "/fields.log"; }
  std::string unparsed_path() const { return dir_ + "/unparsed.log"; }
  std::string log() const;  // rsyslogd's stdout and stderr so far

 private:
  std::string dir_, socket_, conf_, pidfile_, out_;
  pid_t pid_ = -1;
};

// The rsyslogd binary, or "" with `why` set.
std::string rsyslogd_binary(std::string& why);

}  // namespace swtest
