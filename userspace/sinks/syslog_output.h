// RFC 5424 messages over the local syslog datagram socket (/dev/log):
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - JSON
// PRI = facility * 8 + severity (from the event's severity), MSGID = event.action.
#pragma once
#include <chrono>
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

 private:
  bool connect_socket();
  OutputConfig cfg_;
  std::string hostname_;
  int fd_ = -1;
  bool failing_ = false;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{100};
};

// The header and message, exposed for tests.
std::string rfc5424_message(const OutputRecord& r, int facility, const std::string& hostname,
                            const std::string& app_name, int pid);

// "user", "daemon", "local0".."local7", ... -> code; -1 if unknown.
int syslog_facility_code(const std::string& name);

}  // namespace sockwarden
