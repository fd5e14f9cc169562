#include "lint/container_cli.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "lint/rules.h"
#include "lint/workload_checks.h"

namespace sockwarden::lint {

namespace {

// `docker run` / `podman run` options that take a value (the rest are
// booleans); needed to tell the image name from an option's value.
const std::set<std::string_view>& value_options() {
  static const std::set<std::string_view> k = {
      "-v", "--volume", "--mount", "-e", "--env", "--env-file", "-p", "--publish", "--name", "-w", "--workdir",
      "-u", "--user", "--network", "--net", "--pid", "--ipc", "--uts", "--userns", "--cgroupns", "--cap-add",
      "--cap-drop", "--device", "-l", "--label", "--label-file", "--entrypoint", "-h", "--hostname", "--restart",
      "-m", "--memory", "--memory-swap", "--cpus", "--cpuset-cpus", "--cpu-shares", "-c", "--log-driver",
      "--log-opt", "--security-opt", "--add-host", "--dns", "--dns-search", "--tmpfs", "--ulimit", "--platform",
      "--pull", "--volumes-from", "--link", "--group-add", "--shm-size", "--stop-signal", "--stop-timeout",
      "--runtime", "--cidfile", "--gpus", "--health-cmd", "--health-interval", "--mac-address", "--ip", "--ip6",
      "-a", "--attach", "--expose", "--cgroup-parent", "--storage-opt", "--sysctl", "--network-alias",
      "--pids-limit", "--secret", "--env-host", "--pod", "--sdnotify", "--systemd", "--annotation"};
  return k;
}

std::string command_name(const std::string& word) {
  std::string w = word;
  size_t b = w.find_first_not_of("@-[{\"'");  // Makefile @docker, -docker; YAML [docker
  w = b == std::string::npos ? "" : w.substr(b);
  auto slash = w.rfind('/');
  return slash == std::string::npos ? w : w.substr(slash + 1);
}

bool starts_with(std::string_view s, std::string_view p) { return s.rfind(p, 0) == 0; }

// "src:dst[:opts]", where src may hold ${VAR:-default} with its own colons.
std::string volume_source(const std::string& spec) {
  int depth = 0;
  for (size_t i = 0; i < spec.size(); i++) {
    if (spec[i] == '{') depth++;
    if (spec[i] == '}') depth--;
    if (spec[i] == ':' && depth == 0) return spec.substr(0, i);
  }
  return "";  // an anonymous volume: no host path
}

bool host_path_like(const std::string& s) {
  return !s.empty() && (s[0] == '/' || s[0] == '$' || s[0] == '~' || s[0] == '.');
}

// type=bind,source=/x,target=/y -> "/x" (empty unless type=bind)
std::string mount_bind_source(const std::string& spec) {
  std::string type, source;
  size_t i = 0;
  while (i <= spec.size()) {
    size_t j = spec.find(',', i);
    if (j == std::string::npos) j = spec.size();
    std::string kv = spec.substr(i, j - i);
    auto eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (k == "type") type = v;
    if (k == "source" || k == "src") source = v;
    i = j + 1;
  }
  return type == "bind" ? source : "";
}

struct Option {
  std::string name;
  std::string value;
  bool has_value = false;
  int line = 0;
};

// Splits "--name=value" and consumes the next word for value options.
// Returns the index after the options (the image, or a boundary).
size_t parse_options(const std::vector<Token>& t, size_t i, std::vector<Option>& opts) {
  while (i < t.size() && !t[i].boundary) {
    const std::string& w = t[i].text;
    if (w == "--" || w.empty() || w[0] != '-' || w == "-") break;
    Option o;
    o.line = t[i].line;
    auto eq = w.find('=');
    if (starts_with(w, "--") && eq != std::string::npos) {
      o.name = w.substr(0, eq);
      o.value = w.substr(eq + 1);
      o.has_value = true;
    } else {
      o.name = w;
      if (value_options().count(w) && i + 1 < t.size() && !t[i + 1].boundary) {
        o.value = t[++i].text;
        o.has_value = true;
      } else if (!starts_with(w, "--") && w.size() > 2 && value_options().count(w.substr(0, 2))) {
        o.name = w.substr(0, 2);  // -v/x:/y, -eFOO=bar
        o.value = w.substr(2);
        o.has_value = true;
      } else if (!starts_with(w, "--") && w.size() > 2 &&
                 std::all_of(w.begin() + 1, w.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); }) &&
                 value_options().count(std::string("-") + w.back()) && i + 1 < t.size() && !t[i + 1].boundary) {
        o.name = std::string("-") + w.back();  // -itv /x:/y: flags clustered, the last one takes the value
        o.value = t[++i].text;
        o.has_value = true;
      }
    }
    opts.push_back(std::move(o));
    i++;
  }
  return i;
}

void check_run_options(FindingSink& sink, const std::vector<Option>& opts, const std::string& who) {
  for (const auto& o : opts) {
    const std::string& n = o.name;
    if ((n == "-v" || n == "--volume") && o.has_value) {
      std::string src = volume_source(o.value);
      if (host_path_like(src)) check_mount_source(sink, o.line, src, who);
    } else if (n == "--mount" && o.has_value) {
      std::string src = mount_bind_source(o.value);
      if (!src.empty()) check_mount_source(sink, o.line, src, who);
    } else if (n == "--privileged") {
      if (!o.has_value || yaml_true(o.value)) sink.add(o.line, rule::kPrivileged, who + " runs --privileged");
    } else if (n == "--pid" && o.value == "host") {
      sink.add(o.line, rule::kHostPid, who + " shares the host PID namespace (--pid=host)");
    } else if ((n == "--network" || n == "--net") && o.value == "host") {
      sink.add(o.line, rule::kHostNetwork, who + " shares the host network namespace (" + n + "=host)");
    } else if (n == "--ipc" && o.value == "host") {
      sink.add(o.line, rule::kHostIpc, who + " shares the host IPC namespace (--ipc=host)");
    } else if (n == "--cap-add" && o.has_value) {
      size_t i = 0;  // podman accepts a comma-separated list
      while (i <= o.value.size()) {
        size_t j = o.value.find(',', i);
        if (j == std::string::npos) j = o.value.size();
        check_capability(sink, o.line, o.value.substr(i, j - i), who);
        i = j + 1;
      }
    }
  }
}

bool mentions_container_cli(const std::string& s) {
  return s.find(' ') != std::string::npos &&
         (s.find("docker") != std::string::npos || s.find("podman") != std::string::npos ||
          s.find("nerdctl") != std::string::npos);
}

// A quoted word is a command when it stands where a command goes (a YAML
// list item "- 'docker run ...'", key: "docker run ...") or is handed to a
// shell (sh -c "...", Jenkins sh '...'); as an argument of echo or grep it is
// only text.
bool runs_its_argument(const std::vector<Token>& t, size_t i) {
  if (i == 0 || t[i - 1].boundary) return true;
  const std::string& prev = t[i - 1].text;
  if (prev == "-c" || prev == "sh" || prev == "bash" || prev == "eval" || prev == "exec" || prev == "-") return true;
  return !prev.empty() && prev.back() == ':';
}

// buildkitd --addr tcp://... needs --tlscacert (client verification).
void check_buildkitd_args(FindingSink& sink, const std::vector<Token>& t, size_t i) {
  std::string tcp;
  int line = 0;
  bool verify = false;
  for (; i < t.size() && !t[i].boundary; i++) {
    const std::string& w = t[i].text;
    std::string value;
    if (w == "--addr" && i + 1 < t.size() && !t[i + 1].boundary) value = t[++i].text;
    else if (starts_with(w, "--addr=")) value = w.substr(7);
    if (is_tcp_endpoint(value) && tcp.empty()) tcp = value, line = t[i].line;
    if (w == "--tlscacert" || starts_with(w, "--tlscacert=")) verify = true;
  }
  if (!tcp.empty() && !verify)
    sink.add(line, rule::kDaemonTcp, "buildkitd listens on " + tcp + " without --tlscacert: anyone who reaches it builds as root");
}

}  // namespace

void check_dockerd_args(FindingSink& sink, const std::vector<Token>& args, int line_of_dockerd) {
  bool verify = false, tls = false;
  int tcp_line = 0;
  std::string tcp;
  for (size_t i = 0; i < args.size() && !args[i].boundary; i++) {
    const std::string& w = args[i].text;
    std::string value;
    int line = args[i].line;
    if ((w == "-H" || w == "--host") && i + 1 < args.size() && !args[i + 1].boundary) {
      value = args[++i].text;
    } else if (starts_with(w, "-H=") || starts_with(w, "--host=")) {
      value = w.substr(w.find('=') + 1);
    } else if (starts_with(w, "-Htcp://")) {
      value = w.substr(2);
    }
    if (is_tcp_endpoint(value) && tcp.empty()) {
      tcp = value;
      tcp_line = line;
    }
    if (w == "--tlsverify" || w == "--tlsverify=true") verify = true;
    if (w == "--tls" || w == "--tls=true") tls = true;
  }
  if (tcp.empty() || verify) return;
  if (tls)
    sink.add(tcp_line, rule::kDaemonTcp, Severity::High,
             "dockerd listens on " + tcp + " with --tls but without --tlsverify: no client certificate needed");
  else
    sink.add(tcp_line ? tcp_line : line_of_dockerd, rule::kDaemonTcp,
             "dockerd listens on " + tcp + " without TLS: root on the host for anyone who reaches the port");
}

void check_run_option_string(FindingSink& sink, const std::string& options, int line, const std::string& who) {
  auto t = shell_tokens(options, line);
  std::vector<Option> opts;
  for (size_t i = 0; i < t.size();) {
    if (t[i].boundary) {
      i++;
      continue;
    }
    size_t next = parse_options(t, i, opts);
    i = next == i ? i + 1 : next;  // skip stray words
  }
  for (auto& o : opts) o.line = line;
  check_run_options(sink, opts, who);
}

void check_command_tokens(FindingSink& sink, const std::vector<Token>& t) {
  for (size_t i = 0; i < t.size(); i++) {
    if (t[i].boundary) continue;
    if (t[i].quoted && mentions_container_cli(t[i].text) && runs_its_argument(t, i)) {
      check_command_tokens(sink, shell_tokens(t[i].text, t[i].line));
      continue;
    }
    std::string name = command_name(t[i].text);
    if (name == "dockerd") {
      check_dockerd_args(sink, std::vector<Token>(t.begin() + static_cast<long>(i) + 1, t.end()), t[i].line);
      continue;
    }
    if (name == "buildkitd") {
      check_buildkitd_args(sink, t, i + 1);
      continue;
    }
    if (name != "docker" && name != "podman" && name != "nerdctl") continue;
    if (name == "podman" && i + 3 < t.size() && t[i + 1].text == "system" && t[i + 2].text == "service") {
      // podman system service [--time 0] tcp://0.0.0.0:8888: the libpod and Docker
      // APIs on plain TCP (podman has no TLS for its service).
      for (size_t j = i + 3; j < t.size() && !t[j].boundary; j++)
        if (is_tcp_endpoint(t[j].text))
          sink.add(t[j].line, rule::kDaemonTcp, "podman system service listens on " + t[j].text + " (no TLS: root on the host for anyone who reaches it)");
      continue;
    }
    // Global options: a client reaching a daemon over plaintext TCP.
    std::vector<Option> global;
    size_t j = i + 1;
    while (j < t.size() && !t[j].boundary && starts_with(t[j].text, "-")) {
      const std::string& w = t[j].text;
      Option o{w, "", false, t[j].line};
      if ((w == "-H" || w == "--host" || w == "--context" || w == "-c" || w == "--config" || w == "--url" ||
           w == "--connection" || w == "-l" || w == "--log-level") &&
          j + 1 < t.size() && !t[j + 1].boundary) {
        o.value = t[++j].text;
        o.has_value = true;
      } else if (starts_with(w, "--host=") || starts_with(w, "-H=")) {
        o.value = w.substr(w.find('=') + 1);
        o.has_value = true;
      }
      global.push_back(o);
      j++;
    }
    bool tlsverify = false;
    for (const auto& o : global) tlsverify = tlsverify || o.name == "--tlsverify";
    for (const auto& o : global)
      if ((o.name == "-H" || o.name == "--host" || o.name == "--url") && is_tcp_endpoint(o.value) && !tlsverify)
        sink.add(o.line, rule::kClientTcp, name + " -H " + o.value + " talks to the daemon over TCP without --tlsverify");
    if (j < t.size() && !t[j].boundary && t[j].text == "container") j++;
    if (j >= t.size() || t[j].boundary || (t[j].text != "run" && t[j].text != "create")) continue;
    std::vector<Option> opts;
    size_t end = parse_options(t, j + 1, opts);
    check_run_options(sink, opts, name + " " + t[j].text);
    i = end > i ? end - 1 : i;
  }
}

}  // namespace sockwarden::lint
