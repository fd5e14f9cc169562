#include "lint/systemd_check.h"

#include <algorithm>
#include <cctype>

#include "lint/container_cli.h"
#include "lint/rules.h"
#include "lint/runtime_sockets.h"
#include "lint/shell_tokens.h"
#include "lint/text_check.h"
#include "lint/workload_checks.h"

namespace sockwarden::lint {

namespace {

struct Setting {
  std::string section, key, value;
  int line = 0;
  std::vector<std::string> raw;  // the value's physical lines, continuations kept
};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// systemd.syntax(7): '#'/';' comments, a trailing backslash continues the line.
std::vector<Setting> parse_unit(const std::vector<std::string>& lines) {
  std::vector<Setting> out;
  std::string section;
  for (size_t n = 0; n < lines.size(); n++) {
    std::string l = trim(lines[n]);
    if (l.empty() || l[0] == '#' || l[0] == ';') continue;
    if (l[0] == '[') {
      section = l.substr(1, l.find(']') - 1);
      continue;
    }
    int line = static_cast<int>(n + 1);
    auto eq = l.find('=');
    std::vector<std::string> raw = {eq == std::string::npos ? l : l.substr(eq + 1)};
    while (!l.empty() && l.back() == '\\' && n + 1 < lines.size()) {
      l.pop_back();
      raw.push_back(lines[n + 1]);
      l += " " + trim(lines[++n]);
    }
    if (eq == std::string::npos) continue;
    out.push_back({section, trim(l.substr(0, eq)), trim(l.substr(eq + 1)), line, raw});
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool names_runtime(const std::string& text) {
  std::string t = lower(text);
  for (const char* r : {"docker", "containerd", "podman", "crio", "cri-o", "buildkit"})
    if (t.find(r) != std::string::npos) return true;
  return false;
}

// ListenStream= takes a path, an abstract @name, or a port / address:port
// (systemd.socket(5)); %t and other specifiers start paths.
bool is_tcp_listen(const std::string& v) {
  if (v.empty() || v[0] == '/' || v[0] == '@' || v[0] == '%') return false;
  auto colon = v.rfind(':');
  std::string port = colon == std::string::npos ? v : v.substr(colon + 1);
  return !port.empty() && std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
}

// %t is /run for system units (and $XDG_RUNTIME_DIR for user units, which
// the socket patterns also cover as /run/user/<uid>).
std::string expand_runtime_dir(std::string v) {
  if (v.rfind("%t/", 0) == 0) v = "/run" + v.substr(2);
  return v;
}

}  // namespace

void check_systemd_unit(FindingSink& sink, const std::vector<std::string>& lines, const std::string& file_name) {
  auto settings = parse_unit(lines);
  std::string who = "unit " + file_name;
  bool runtime_unit = names_runtime(file_name);
  for (const auto& s : settings) {
    if (s.key == "Description" && names_runtime(s.value)) runtime_unit = true;
    if (s.key == "ListenStream" && runtime_socket_exposure(expand_runtime_dir(s.value)).kind == SocketExposure::Socket)
      runtime_unit = true;
  }
  for (const auto& s : settings) {
    if (s.key.rfind("Exec", 0) == 0) {
      std::vector<std::string> raw = s.raw;
      raw[0] = trim(raw[0]);
      raw[0].erase(0, raw[0].find_first_not_of("-@:+!"));  // systemd.service(5) executable prefixes
      check_command_tokens(sink, shell_tokens(raw, s.line));
    } else if (s.key == "ListenStream" && runtime_unit && is_tcp_listen(s.value)) {
      // Socket activation hands the daemon an already-bound TCP listener:
      // dockerd serves it as plain HTTP (TLS only applies to its own -H).
      sink.add(s.line, rule::kDaemonTcp,
               who + " socket-activates a container runtime on TCP " + s.value + " (no TLS on an inherited listener)");
    } else if (s.key == "BindPaths" || s.key == "BindReadOnlyPaths") {
      for (const auto& t : shell_tokens(s.value, s.line)) {
        if (t.boundary || t.text.empty()) continue;
        std::string src = t.text;
        if (src[0] == '-') src.erase(0, 1);
        src = expand_runtime_dir(src.substr(0, src.find(':')));
        check_mount_source(sink, s.line, src, who + " " + s.key);
      }
    }
  }
  // Environment=DOCKER_HOST=tcp://... (and EnvironmentFile contents are not read).
  check_docker_host_lines(sink, lines);
}

}  // namespace sockwarden::lint
