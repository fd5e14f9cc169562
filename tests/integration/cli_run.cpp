#include "cli_run.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

namespace swtest {

using nlohmann::json;

Run run_binary(const std::string& args, const std::function<void()>& during, int startup_ms) {
  return run_binary_with_pid(args, during ? [&](pid_t) { during(); } : std::function<void(pid_t)>{}, startup_ms);
}

Run run_binary_with_pid(const std::string& args, const std::function<void(pid_t)>& during, int startup_ms) {
  return run_binary_until(args, during, {}, startup_ms);
}

namespace {

// The complete JSON lines appended to `path` since the last call (a line the
// agent is still writing waits for its newline).
class LineFollower {
 public:
  explicit LineFollower(std::string path) : path_(std::move(path)) {}
  const std::vector<json>& poll() {
    std::ifstream f(path_);
    f.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    offset_ += chunk.size();
    partial_ += chunk;
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(partial_.data() + start, nl - start);
      if (line.empty() || line[0] != '{') continue;
      json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!j.is_discarded()) lines_.push_back(std::move(j));
    }
    partial_.erase(0, start);
    return lines_;
  }

 private:
  std::string path_;
  size_t offset_ = 0;
  std::string partial_;
  std::vector<json> lines_;
};

}  // namespace

// Starts the binary (exec'd by sh: the pid is the agent's), runs `during`
// while it captures, waits for it to exit (or, with `until`, stops it once
// `until` holds).
Run run_binary_until(const std::string& args, const std::function<void(pid_t)>& during, const Until& until,
                     int startup_ms) {
  std::string out_file = "/tmp/sockwarden-cli-" + std::to_string(getpid()) + ".out";
  std::string cmd = "exec " + std::string(SW_BINARY) + " " + args + " > " + out_file + " 2>&1";
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), (char*)nullptr);
    _exit(127);
  }
  int st = 0;
  bool reaped = false;
  if (during) {
    // Wait for the agent's "ready:" line (BPF loaded, watches in the maps): a
    // fixed sleep raced a slow load under QEMU/TCG and missed the first caller.
    for (int i = 0; i < 600 && !reaped; i++) {
      std::ifstream f(out_file);
      std::stringstream ss;
      ss << f.rdbuf();
      if (ss.str().find("] ready: tier") != std::string::npos) break;
      // Exited early: nothing to run against (the test's checks will say why).
      reaped = waitpid(pid, &st, WNOHANG) == pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(startup_ms));
    if (!reaped) during(pid);
  }
  if (!reaped && until) {
    LineFollower follow(out_file);
    while (!(reaped = waitpid(pid, &st, WNOHANG) == pid)) {
      if (until(follow.poll())) {
        kill(pid, SIGTERM);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (!reaped) waitpid(pid, &st, 0);
  Run r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream f(out_file);
  std::stringstream ss;
  ss << f.rdbuf();
  r.out = ss.str();
  unlink(out_file.c_str());
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> objects;
  while (std::getline(lines, line))
    if (!line.empty() && line[0] == '{') objects.push_back(line);
  // An agent killed by a signal (SIGKILL in the fault tests) can die in the
  // middle of writing its last line: only that line may be cut short. Every
  // other line, and every line of an agent that exited, must parse.
  const bool killed = WIFSIGNALED(st);
  for (size_t i = 0; i < objects.size(); i++) {
    if (killed && i + 1 == objects.size()) {
      json last = json::parse(objects[i], nullptr, /*allow_exceptions=*/false);
      if (last.is_discarded() && r.out.back() != '\n') {
        r.cut_last_line = true;
        continue;
      }
    }
    r.lines.push_back(json::parse(objects[i]));
  }
  return r;
}

bool is_event(const json& j, const std::string& action, pid_t pid) {
  return j.contains("event") && j["event"].value("action", "") == action &&
         (pid == 0 || (j.contains("process") && j["process"].value("pid", 0) == pid));
}

Until seen(const std::string& action, const pid_t& pid, size_t n) {
  return [action, &pid, n](const std::vector<json>& lines) {
    size_t found = 0;
    for (const auto& j : lines) found += is_event(j, action, pid) ? 1 : 0;
    return found >= n;
  };
}

std::vector<json> with_action(const Run& r, const std::string& action, pid_t pid) {
  std::vector<json> out;
  for (const auto& j : r.lines)
    if (is_event(j, action, pid)) out.push_back(j);
  return out;
}

json caller_flags(const json& event) {
  static const std::set<std::string> kCaller = {"container-originated", "namespaced", "unexpected-caller", "relay"};
  json out = json::array();
  const json& sw = event.contains("sockwarden") ? event["sockwarden"] : json::object();
  for (const auto& f : sw.value("flags", json::array()))
    if (f.is_string() && kCaller.count(f.get<std::string>())) out.push_back(f);
  return out;
}

}  // namespace swtest
