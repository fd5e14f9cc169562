#include "harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "enrich/mountinfo.h"

namespace swtest {

using namespace sockwarden;

TempDir::TempDir() {
  char tmpl[] = "/tmp/sockwarden-it-XXXXXX";
  path = mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

static socklen_t make_addr(const std::string& path, sockaddr_un& sa) {
  std::memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (!path.empty() && path[0] == '@') {
    // Abstract: leading NUL, exact length (no trailing NULs), as Go and socat do.
    std::memcpy(sa.sun_path + 1, path.data() + 1, path.size() - 1);
    return offsetof(sockaddr_un, sun_path) + path.size();
  }
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  return sizeof sa;
}

Listener::Listener(const std::string& path, Responder respond) : path_(path), respond_(std::move(respond)) {
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa;
  socklen_t len = make_addr(path, sa);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) != 0 || listen(fd_, 128) != 0)
    throw std::runtime_error("listener " + path + ": " + strerror(errno));
  if (pipe(stop_pipe_) != 0) throw std::runtime_error("pipe");
  ino_ = inode();
  thread_ = std::thread([this] { loop(); });
}

Listener::~Listener() {
  if (write(stop_pipe_[1], "x", 1) < 0) {
  }
  thread_.join();
  close(fd_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
  // Only our own socket file: a test may have replaced it (daemon restart).
  if (!path_.empty() && path_[0] != '@' && inode() == ino_) unlink(path_.c_str());
}

uint64_t Listener::inode() const {
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

void Listener::loop() {
  std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
  char buf[65536];
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) continue;
    if (fds[0].revents) break;
    if (fds[1].revents & POLLIN) {
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (c >= 0) fds.push_back({c, POLLIN, 0});
    }
    for (size_t i = 2; i < fds.size();) {
      if (fds[i].revents) {
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        const std::string answer = n > 0 && respond_ ? respond_(std::string(buf, n)) : n > 0 ? reply_ : "";
        if (!answer.empty() && write(fds[i].fd, answer.data(), answer.size()) < 0) {
        }
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
          close(fds[i].fd);
          fds.erase(fds.begin() + i);
          continue;
        }
      }
      ++i;
    }
  }
  for (size_t i = 2; i < fds.size(); i++) close(fds[i].fd);
}

int quiet_listener(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa;
  socklen_t len = make_addr(path, sa);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 || listen(fd, 64) != 0)
    throw std::runtime_error("quiet listener " + path + ": " + strerror(errno));
  return fd;
}

pid_t spawn(const std::function<int()>& fn) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  return pid;
}

int reap(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int reap_within(pid_t pid, int timeout_ms) {
  for (int waited = 0;; waited += 10) {
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (r < 0) return -1;
    if (waited >= timeout_ms) break;
    usleep(10 * 1000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -2;
}

pid_t run_child(const std::function<int()>& fn) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 99;
    try {
      rc = fn();
    } catch (...) {
    }
    _exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "child " << pid << " failed: status " << status;
  return pid;
}

int connect_unix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa;
  socklen_t len = make_addr(path, sa);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

uint64_t fd_inode(int fd) {
  struct stat st {};
  fstat(fd, &st);
  return st.st_ino;
}

std::string cgroup2_root() { return find_cgroup2_mount("/proc/self/mountinfo").value_or(""); }

Session::Session(const std::string& tier, const std::vector<std::string>& specs, uint32_t payload_cap,
                 uint32_t ringbuf_bytes)
    : watches_(specs, self_netns_ino()) {
  TierSettings s;
  s.self_tgid = static_cast<uint32_t>(getpid());
  s.payload_cap = payload_cap;
  s.ringbuf_bytes = ringbuf_bytes;
  s.cgroup2_root = cgroup2_root();
  std::vector<ProbeStep> steps;
  capture_ = Capture::open(tier, s, &steps);
  resync();
}

void Session::resync() { capture_->sync_watches(watches_.resolve(), std::chrono::seconds(0)); }

const std::vector<RawEvent>& Session::collect(const std::function<bool(const std::vector<RawEvent>&)>& pred,
                                              std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Capture::Handler h = [this](RawEvent&& e) { events_.push_back(std::move(e)); };
  while (!pred(events_) && std::chrono::steady_clock::now() < deadline) capture_->poll(50, h);
  return events_;
}

const std::vector<RawEvent>& Session::settle(std::chrono::milliseconds t) {
  return collect([](const auto&) { return false; }, t);
}

std::vector<RawEvent> Session::of(pid_t tgid, EventKind kind) const {
  std::vector<RawEvent> out;
  for (const auto& e : events_)
    if (e.tgid == static_cast<uint32_t>(tgid) && e.kind == kind) out.push_back(e);
  return out;
}

}  // namespace swtest

namespace swtest {

std::vector<std::string> test_tiers() {
  const char* env = getenv("SW_TEST_TIERS");
  std::string list = env && *env ? env : "socket-tp,syscall-tp";
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string tier_test_name(const std::string& tier) {
  std::string n = tier;
  for (auto& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

bool kernel_has_connect_unix() {
  static const bool has = [] {
    // The attach type's name is in the kernel's BTF (enum bpf_attach_type) from 6.7 on.
    FILE* f = fopen("/sys/kernel/btf/vmlinux", "rb");
    if (!f) return false;
    std::string data;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
    fclose(f);
    return data.find(std::string("BPF_CGROUP_UNIX_CONNECT\0", 24)) != std::string::npos;
  }();
  return has;
}

bool stream_hook_tier(const std::string& tier) { return tier == "lsm" || tier == "fentry"; }

bool tier_sees_refused_attempts(const std::string& tier) {
  return tier == "syscall-tp" || kernel_has_connect_unix();
}

bool tier_reports_attempt_on_success(const std::string& tier) {
  return tier != "syscall-tp" && kernel_has_connect_unix();
}

}  // namespace swtest

namespace swtest {

CgroupTree::~CgroupTree() {
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
}

std::string CgroupTree::make(const std::string& rel) {
  std::string cur = root_;
  size_t pos = 1;
  while (pos <= rel.size()) {
    size_t next = rel.find('/', pos);
    if (next == std::string::npos) next = rel.size();
    cur += "/" + rel.substr(pos, next - pos);
    if (::mkdir(cur.c_str(), 0755) == 0) created_.push_back(cur);
    pos = next + 1;
  }
  return cur;
}

bool join_cgroup(const std::string& dir) {
  FILE* f = fopen((dir + "/cgroup.procs").c_str(), "w");
  if (!f) return false;
  bool ok = fprintf(f, "%d", getpid()) > 0;
  return fclose(f) == 0 && ok;
}

}  // namespace swtest
