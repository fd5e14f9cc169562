#include "sinks/syslog_output.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "capture/errors.h"

namespace sockwarden {
namespace {

// RFC 5424 6.2: PRINTUSASCII, at most `max` characters, "-" when empty.
std::string header_field(const std::string& s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    if (c > 32 && c < 127) out += c;
  }
  return out.empty() ? "-" : out;
}

std::string timestamp(uint64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000ull);
  tm t{};
  gmtime_r(&secs, &t);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
           t.tm_hour, t.tm_min, t.tm_sec, static_cast<unsigned>((ns % 1000000000ull) / 1000));
  return buf;
}

}  // namespace

int syslog_facility_code(const std::string& name) {
  static const char* const names[] = {"kern", "user",   "mail",     "daemon", "auth",   "syslog",
                                      "lpr",  "news",   "uucp",     "cron",   "authpriv", "ftp"};
  for (int i = 0; i < 12; i++)
    if (name == names[i]) return i;
  if (name.size() == 6 && name.compare(0, 5, "local") == 0 && name[5] >= '0' && name[5] <= '7')
    return 16 + (name[5] - '0');
  return -1;
}

std::string rfc5424_message(const OutputRecord& r, int facility, const std::string& hostname,
                            const std::string& app_name, int pid) {
  std::string m = "<" + std::to_string(facility * 8 + r.syslog_severity) + ">1 " + timestamp(r.realtime_ns) + " " +
                  header_field(hostname, 255) + " " + header_field(app_name, 48) + " " + std::to_string(pid) + " " +
                  header_field(r.action, 32) + " - ";
  m += *r.json;
  return m;
}

SyslogOutput::SyslogOutput(const OutputConfig& cfg) : cfg_(cfg) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) hostname_ = host;
  if (!connect_socket()) spdlog::warn("output {}: {} not reachable yet, retrying", cfg_.name, cfg_.socket_path);
}

SyslogOutput::~SyslogOutput() { close(); }

bool SyslogOutput::connect_socket() {
  if (fd_ >= 0) return true;
  if (cfg_.socket_path.size() >= sizeof(sockaddr_un::sun_path)) return false;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // A stuck syslog daemon must not hold the writer (and shutdown) forever.
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, cfg_.socket_path.c_str(), cfg_.socket_path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

bool SyslogOutput::write(const OutputRecord& r) {
  auto now = std::chrono::steady_clock::now();
  if (failing_ && now < retry_at_) return false;
  if (!connect_socket()) {
    if (!failing_) spdlog::error("output {}: cannot connect to {}; dropping events and retrying", cfg_.name, cfg_.socket_path);
    failing_ = true;
    retry_at_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
    return false;
  }
  std::string msg = rfc5424_message(r, cfg_.facility, hostname_, cfg_.app_name, static_cast<int>(getpid()));
  for (;;) {
    if (::send(fd_, msg.data(), msg.size(), 0) >= 0) break;
    if (errno == EINTR) continue;
    int err = errno;
    if (err == EMSGSIZE) {
      spdlog::warn("output {}: a {}-byte event is too large for the syslog socket", cfg_.name, msg.size());
      return false;
    }
    // The daemon restarted (ECONNREFUSED, ENOTCONN) or is gone: reconnect later.
    if (!failing_) spdlog::error("output {}: {}; dropping events and retrying", cfg_.name, errno_text("sending to " + cfg_.socket_path, err));
    ::close(fd_);
    fd_ = -1;
    failing_ = true;
    retry_at_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
    return false;
  }
  if (failing_) spdlog::info("output {}: writing again", cfg_.name);
  failing_ = false;
  backoff_ = std::chrono::milliseconds(100);
  return true;
}

void SyslogOutput::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace sockwarden
