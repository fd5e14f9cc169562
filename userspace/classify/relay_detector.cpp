#include "classify/relay_detector.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "audit/tcp_exposure.h"

namespace sockwarden {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// /proc/PID/fd -> the inodes of its sockets.
std::set<uint64_t> socket_inodes(const std::string& fd_dir) {
  std::set<uint64_t> out;
  DIR* d = ::opendir(fd_dir.c_str());
  if (!d) return out;
  char buf[64];
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    ssize_t n = ::readlink((fd_dir + "/" + e->d_name).c_str(), buf, sizeof buf - 1);
    if (n <= 0) continue;
    std::string link(buf, static_cast<size_t>(n));
    if (link.rfind("socket:[", 0) != 0) continue;
    out.insert(std::strtoull(link.c_str() + 8, nullptr, 10));
  }
  ::closedir(d);
  return out;
}

constexpr unsigned long kSoAcceptCon = 0x10000;  // __SO_ACCEPTCON: a listening socket

}  // namespace

std::unordered_map<uint64_t, std::string> parse_unix_listeners(const std::string& text) {
  std::unordered_map<uint64_t, std::string> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header: Num RefCount Protocol Flags Type St Inode Path
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string num, refs, proto, flags, type, st, inode, path;
    if (!(f >> num >> refs >> proto >> flags >> type >> st >> inode)) continue;
    std::getline(f, path);
    path.erase(0, path.find_first_not_of(' '));
    if (!(std::strtoul(flags.c_str(), nullptr, 16) & kSoAcceptCon)) continue;
    out[std::strtoull(inode.c_str(), nullptr, 10)] = "unix:" + path;
  }
  return out;
}

bool is_known_relay_tool(const std::string& exe) {
  static const std::set<std::string> kTools = {"socat",  "ncat",    "nc",          "netcat", "nc.openbsd",
                                               "nc.traditional", "ssh", "rinetd", "redir",  "stunnel4",
                                               "stunnel", "haproxy", "sshuttle", "proxychains4"};
  auto slash = exe.rfind('/');
  return kTools.count(slash == std::string::npos ? exe : exe.substr(slash + 1)) != 0;
}

RelayInfo RelayDetector::inspect(pid_t pid, const std::string& executable, std::chrono::steady_clock::time_point now) {
  auto it = cache_.find(pid);
  if (it != cache_.end() && now - it->second.at < std::chrono::seconds(2)) return it->second.info;
  if (cache_.size() > 4096) cache_.clear();  // bounded: pids come and go
  RelayInfo info;
  if (is_known_relay_tool(executable)) {
    auto slash = executable.rfind('/');
    info.tool = slash == std::string::npos ? executable : executable.substr(slash + 1);
  }
  std::string dir = proc_root_ + "/" + std::to_string(pid);
  std::set<uint64_t> mine = socket_inodes(dir + "/fd");
  if (!mine.empty()) {
    for (bool v6 : {false, true}) {
      for (const auto& l : audit::parse_proc_net_tcp(read_text(dir + (v6 ? "/net/tcp6" : "/net/tcp")), v6)) {
        if (!mine.count(l.inode)) continue;
        std::string addr = v6 ? "[" + l.address + "]" : l.address;
        info.listen.push_back("tcp:" + addr + ":" + std::to_string(l.port));
      }
    }
    for (const auto& [ino, where] : parse_unix_listeners(read_text(dir + "/net/unix"))) {
      if (!mine.count(ino)) continue;
      if (watched_.count(where.substr(5))) continue;  // the daemon's own socket
      info.listen.push_back(where);
    }
    std::sort(info.listen.begin(), info.listen.end());
  }
  cache_[pid] = {info, now};
  return info;
}

void RelayDetector::annotate(Event& e, std::chrono::steady_clock::time_point now) {
  if (e.action != "connect"sv && e.action != "send"sv && e.action != "existing-connection"sv) return;
  if (!e.expected_by.empty()) return;
  RelayInfo info = inspect(static_cast<pid_t>(e.raw.tgid), e.process->executable, now);
  if (info.listen.empty() && info.tool.empty()) return;
  e.flags.push_back("relay");
  e.relay = std::move(info);
}

}  // namespace sockwarden
