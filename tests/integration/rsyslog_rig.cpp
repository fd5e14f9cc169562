#include "rsyslog_rig.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace swtest {

std::string rsyslogd_binary(std::string& why) {
  for (const char* p : {"/usr/sbin/rsyslogd", "/sbin/rsyslogd"})
    if (access(p, X_OK) == 0) return p;
  why = "rsyslogd not found: these tests need Debian's `rsyslog` package (scripts/setup.sh --test installs it)";
  return "";
}

Rsyslog::Rsyslog(const std::string& dir, const std::string& app)
    : dir_(dir), socket_(dir + "/log.sock"), conf_(dir + "/rsyslog.conf"), pidfile_(dir + "/rsyslogd.pid"),
      out_(dir + "/rsyslogd.out") {
  std::filesystem::create_directories(dir_ + "/work");
  // maxMessageSize: rsyslog's default (8 KiB) would cut an event with an escaped payload in
  // the middle of its JSON. RateLimit.Interval 0: imuxsock's per-process rate limit (200
  // messages in 5 s) would drop a burst. UseSpecialParser off: the message goes through the
  // regular parsers, RFC 5424 included (the special one expects the BSD format).
  std::ofstream(conf_) << "global(workDirectory=\"" << dir_ << "/work\" maxMessageSize=\"256k\")\n"
                       << "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
                       << "module(load=\"mmjsonparse\")\n"
                       << "input(type=\"imuxsock\" Socket=\"" << socket_
                       << "\" UseSpecialParser=\"off\" RateLimit.Interval=\"0\")\n"
                       << "template(name=\"body\" type=\"string\" string=\"%msg%\\n\")\n"
                       << "template(name=\"fields\" type=\"string\" string=\"%app-name% %msgid% %$!event!action% "
                          "%syslogfacility-text% %syslogseverity-text%\\n\")\n"
                       << "if $app-name == \"" << app << "\" then {\n"
                       << "  action(type=\"mmjsonparse\" cookie=\"\")\n"
                       << "  if $parsesuccess == \"OK\" then {\n"
                       << "    action(type=\"omfile\" file=\"" << events_path() << "\" template=\"body\")\n"
                       << "    action(type=\"omfile\" file=\"" << fields_path() << "\" template=\"fields\")\n"
                       << "  } else {\n"
                       << "    action(type=\"omfile\" file=\"" << unparsed_path()
                       << "\" template=\"RSYSLOG_SyslogProtocol23Format\")\n"
                       << "  }\n"
                       << "} else {\n"
                       << "  action(type=\"omfile\" file=\"" << dir_ << "/other.log\")\n"
                       << "}\n";
}

Rsyslog::~Rsyslog() { stop(); }

std::string Rsyslog::log() const {
  std::ifstream f(out_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {

int run_wait(const std::string& bin, const std::vector<std::string>& args, const std::string& out) {
  pid_t p = fork();
  if (p == 0) {
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    FILE* f = freopen(out.c_str(), "a", stdout);
    if (f) dup2(fileno(stdout), 2);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(p, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool accepts_datagrams(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string Rsyslog::start() {
  std::string why;
  std::string bin = rsyslogd_binary(why);
  if (bin.empty()) return why;
  if (pid_ > 0) return "rsyslogd already runs";
  if (int rc = run_wait(bin, {"-N1", "-f", conf_}, out_); rc != 0)
    return "rsyslogd -N1 refused " + conf_ + " (exit " + std::to_string(rc) + "): " + log();
  pid_ = fork();
  if (pid_ == 0) {
    FILE* f = freopen(out_.c_str(), "a", stdout);
    if (f) dup2(fileno(stdout), 2);
    // -n: foreground, so this pid is rsyslogd's; -i: its own pid file, not /run/rsyslogd.pid.
    execl(bin.c_str(), bin.c_str(), "-n", "-f", conf_.c_str(), "-i", pidfile_.c_str(), (char*)nullptr);
    _exit(127);
  }
  for (int i = 0; i < 200; i++) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return "rsyslogd exited at start: " + log();
    }
    if (accepts_datagrams(socket_)) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  stop();
  return "rsyslogd did not open " + socket_ + " within 5 s: " + log();
}

int Rsyslog::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int st = 0;
  // rsyslog's shutdown waits for its queues (1.5 s at most by default): give it 10 s.
  for (int i = 0; i < 1000; i++) {
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &st, 0);
  pid_ = -1;
  return 128 + SIGKILL;
}

}  // namespace swtest
