// RFC 5424 messages over the local syslog datagram socket (/dev/log):
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - JSON
// PRI = facility * 8 + severity (from the event's severity), MSGID = event.action.
//
// Delivery across a receiver restart (docs/siem.md):
//   - a send that fails because the receiver's socket is gone (ECONNREFUSED, ENOTCONN) or stuck
//     (EAGAIN after SO_SNDTIMEO) is retried, reconnecting to the path, for up to
//     cfg.reconnect_hold_ms; the writer's queue buffers what arrives meanwhile. Only then is the
//     message dropped (counted by the worker as write-failed) and later ones dropped fast until a
//     backoff retry reconnects;
//   - datagrams already queued in a receiver that then exits are discarded by the kernel
//     without telling the sender. They are counted as "unconfirmed": every message not known
//     to have been read (see in_flight_) when the break is noticed.
#pragma once
#include <chrono>
#include <deque>
#include <string>

#include "sinks/output.h"
#include "sinks/output_config.h"

namespace sockwarden {

class SyslogOutput : public Output {
 public:
  explicit SyslogOutput(const OutputConfig& cfg);
  ~SyslogOutput() override;
  bool write(const OutputRecord& r) override;
  void close() override;
  uint64_t take_unconfirmed() override;

 private:
  enum class Sent { Ok, TooLarge, Broken };
  bool connect_socket();
  Sent send_message(const std::string& msg, int& err);
  void drop_connection();
  void start_failing(std::chrono::steady_clock::time_point now);
  OutputConfig cfg_;
  std::string hostname_;
  int fd_ = -1;
  bool failing_ = false;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{100};
  // Sizes of the messages sent on this connection that the receiver may not have read yet,
  // oldest first: a superset of what SIOCOUTQ says is still queued (see send_message).
  std::deque<size_t> in_flight_;
  size_t in_flight_bytes_ = 0;
  uint64_t unconfirmed_ = 0;
};

// The header and message, exposed for tests.
std::string rfc5424_message(const OutputRecord& r, int facility, const std::string& hostname,
                            const std::string& app_name, int pid);

// "user", "daemon", "local0".."local7", ... -> code; -1 if unknown.
int syslog_facility_code(const std::string& name);

}  // namespace sockwarden
