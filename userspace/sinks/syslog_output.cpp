#include "sinks/syslog_output.h"

#include <spdlog/spdlog.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

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

SyslogOutput::Sent SyslogOutput::send_message(const std::string& msg, int& err) {
  // SIOCOUTQ on an AF_UNIX socket is the memory of what this socket sent that the receiver has
  // not consumed yet (each datagram's skb stays charged to the sender until the reader frees
  // it; the charge is the skb's truesize, always more than the payload). It is read BEFORE the
  // send: the send succeeding proves the receiver was not dead yet, and the kernel marks a
  // closing receiver dead before it discards its queue, so this value was not shrunk by a
  // discard: only messages the receiver read left it.
  int unread = -1;
  if (::ioctl(fd_, SIOCOUTQ, &unread) != 0) unread = -1;
  for (;;) {
    if (::send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL) >= 0) break;
    if (errno == EINTR) continue;
    err = errno;
    return err == EMSGSIZE ? Sent::TooLarge : Sent::Broken;
  }
  if (unread >= 0) {
    // Every message still queued is in the shortest tail whose payload sizes add up to
    // `unread` (each one occupies more than its size): the older ones were read.
    while (!in_flight_.empty() && in_flight_bytes_ - in_flight_.front() >= static_cast<size_t>(unread)) {
      in_flight_bytes_ -= in_flight_.front();
      in_flight_.pop_front();
    }
  }
  // The receiver's queue is bounded (net.unix.max_dgram_qlen, its buffer): far fewer than this.
  if (in_flight_.size() >= 65536) {
    in_flight_bytes_ -= in_flight_.front();
    in_flight_.pop_front();
  }
  in_flight_.push_back(msg.size());
  in_flight_bytes_ += msg.size();
  return Sent::Ok;
}

void SyslogOutput::drop_connection() {
  if (!in_flight_.empty()) {
    // The receiver went away: whatever it had not read was discarded with its socket, and the
    // kernel does not say how much. Count every message not known to have been read.
    spdlog::warn("output {}: the receiver went away with up to {} message(s) it may not have read: counted as "
                 "lost (output-unconfirmed:{})",
                 cfg_.name, in_flight_.size(), cfg_.name);
    unconfirmed_ += in_flight_.size();
  }
  in_flight_.clear();
  in_flight_bytes_ = 0;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SyslogOutput::start_failing(std::chrono::steady_clock::time_point now) {
  if (!failing_)
    spdlog::error("output {}: cannot deliver to {}; dropping events and retrying", cfg_.name, cfg_.socket_path);
  failing_ = true;
  retry_at_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
}

bool SyslogOutput::write(const OutputRecord& r) {
  auto now = std::chrono::steady_clock::now();
  if (failing_ && now < retry_at_) return false;
  std::string msg = rfc5424_message(r, cfg_.facility, hostname_, cfg_.app_name, static_cast<int>(getpid()));
  // A receiver restarting (rsyslog, journald) is back on the same path within a second or two:
  // hold this message and reconnect meanwhile (the queue buffers the rest). Once failing, one
  // attempt per backoff step.
  auto deadline = failing_ ? now : now + std::chrono::milliseconds(cfg_.reconnect_hold_ms);
  auto pause = std::chrono::milliseconds(20);
  bool told = failing_;
  for (;;) {
    if (connect_socket()) {
      int err = 0;
      Sent s = send_message(msg, err);
      if (s == Sent::Ok) {
        if (failing_ || told) spdlog::info("output {}: writing again", cfg_.name);
        failing_ = false;
        backoff_ = std::chrono::milliseconds(100);
        return true;
      }
      if (s == Sent::TooLarge) {
        spdlog::warn("output {}: a {}-byte event is too large for the syslog socket", cfg_.name, msg.size());
        return false;
      }
      if (!told) spdlog::warn("output {}: {}; reconnecting", cfg_.name, errno_text("sending to " + cfg_.socket_path, err));
      told = true;
      // EAGAIN: the receiver is alive but did not read for SO_SNDTIMEO; keep the connection
      // (and what it knows about unread messages). Anything else: the receiver's socket is gone
      // (ECONNREFUSED, then ENOTCONN), and a restarted receiver binds a new one at the path.
      if (err != EAGAIN && err != EWOULDBLOCK) drop_connection();
    }
    auto t = std::chrono::steady_clock::now();
    if (t >= deadline) {
      start_failing(t);
      return false;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - t));
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

uint64_t SyslogOutput::take_unconfirmed() {
  uint64_t n = unconfirmed_;
  unconfirmed_ = 0;
  return n;
}

void SyslogOutput::close() {
  // At exit the receiver keeps (and reads) what is queued in it: nothing to count.
  in_flight_.clear();
  in_flight_bytes_ = 0;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace sockwarden
