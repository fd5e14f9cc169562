#include "lint/compose_check.h"

#include "lint/container_cli.h"
#include "lint/rules.h"
#include "lint/shell_tokens.h"
#include "lint/workload_checks.h"
#include "lint/yaml_lines.h"

namespace sockwarden::lint {

namespace {

// "src:dst[:mode]"; the source may hold ${VAR:-default} with its own colon.
std::string short_volume_source(const std::string& spec) {
  int depth = 0;
  for (size_t i = 0; i < spec.size(); i++) {
    if (spec[i] == '{') depth++;
    if (spec[i] == '}') depth--;
    if (spec[i] == ':' && depth == 0) return spec.substr(0, i);
  }
  return "";
}

bool host_path_like(const std::string& s) {
  return !s.empty() && (s[0] == '/' || s[0] == '$' || s[0] == '~' || s[0] == '.');
}

// Top-level named volume bound to a host directory:
//   volumes: {x: {driver_opts: {type: none, o: bind, device: /var/run}}}
std::pair<std::string, int> named_volume_device(const YAML::Node& root, const std::string& name) {
  YAML::Node opts = child(child(child(root, "volumes"), name.c_str()), "driver_opts");
  YAML::Node device = child(opts, "device");
  if (!device || scalar(child(opts, "o")).find("bind") == std::string::npos) return {"", 0};
  return {scalar(device), line_of(device)};
}

void check_volume(FindingSink& sink, const YAML::Node& root, const YAML::Node& v, const std::string& who) {
  std::string source;
  int line = line_of(v);
  if (v.IsScalar()) {
    source = short_volume_source(v.Scalar());
  } else if (v.IsMap()) {
    YAML::Node src = child(v, "source");
    source = scalar(src);
    line = line_of(src, line);
    if (scalar(child(v, "type")) == "volume") source = "";  // long syntax named volume, resolved below
    if (scalar(child(v, "type")) == "volume" || !host_path_like(scalar(src))) {
      auto [device, dline] = named_volume_device(root, scalar(src));
      if (!device.empty()) {
        check_mount_source(sink, dline, device, who + " (named volume " + scalar(src) + " binds it)");
        return;
      }
    }
  }
  if (host_path_like(source)) {
    check_mount_source(sink, line, source, who);
  } else if (!source.empty()) {
    auto [device, dline] = named_volume_device(root, source);
    if (!device.empty()) check_mount_source(sink, dline, device, who + " (named volume " + source + " binds it)");
  }
}

void check_environment(FindingSink& sink, const YAML::Node& env, const std::string& who) {
  std::string host, verify;
  int host_line = 0;
  if (env.IsSequence()) {
    for (const auto& e : env) {
      std::string kv = scalar(e);
      auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      if (kv.substr(0, eq) == "DOCKER_HOST") host = kv.substr(eq + 1), host_line = line_of(e);
      if (kv.substr(0, eq) == "DOCKER_TLS_VERIFY") verify = kv.substr(eq + 1);
    }
  } else if (env.IsMap()) {
    YAML::Node h = child(env, "DOCKER_HOST");
    host = scalar(h);
    host_line = line_of(h);
    verify = scalar(child(env, "DOCKER_TLS_VERIFY"));
  }
  if (is_tcp_endpoint(host) && (verify.empty() || verify == "0" || verify == "false"))
    sink.add(host_line, rule::kClientTcp, who + " sets DOCKER_HOST=" + host + " without DOCKER_TLS_VERIFY");
}

// command: "dockerd -H tcp://0.0.0.0:2375" or [dockerd, -H, ...] or, for the
// docker:dind image whose entrypoint runs dockerd, just the flags.
void check_command(FindingSink& sink, const YAML::Node& cmd, const std::string& image) {
  std::vector<Token> tokens;
  if (cmd.IsScalar()) {
    tokens = shell_tokens(cmd.Scalar(), line_of(cmd));
  } else if (cmd.IsSequence()) {
    for (const auto& w : cmd) tokens.push_back(Token{scalar(w), line_of(w), false, false});
  } else {
    return;
  }
  if (image.find("dind") != std::string::npos)
    check_dockerd_args(sink, tokens, line_of(cmd));
  else
    check_command_tokens(sink, tokens);
}

}  // namespace

bool is_compose_file(const YAML::Node& doc) { return doc.IsMap() && child(doc, "services").IsMap(); }

void check_compose_file(FindingSink& sink, const YAML::Node& root) {
  for (const auto& kv : child(root, "services")) {
    std::string name = scalar(kv.first);
    const YAML::Node& svc = kv.second;
    std::string who = "service " + name;
    YAML::Node volumes = child(svc, "volumes");
    if (volumes.IsSequence())
      for (const auto& v : volumes) check_volume(sink, root, v, who);
    YAML::Node priv = child(svc, "privileged");
    if (priv && yaml_true(scalar(priv))) sink.add(line_of(priv), rule::kPrivileged, who + " is privileged");
    if (scalar(child(svc, "pid")) == "host")
      sink.add(line_of(child(svc, "pid")), rule::kHostPid, who + " sets pid: host");
    if (scalar(child(svc, "network_mode")) == "host")
      sink.add(line_of(child(svc, "network_mode")), rule::kHostNetwork, who + " sets network_mode: host");
    if (scalar(child(svc, "ipc")) == "host")
      sink.add(line_of(child(svc, "ipc")), rule::kHostIpc, who + " sets ipc: host");
    YAML::Node caps = child(svc, "cap_add");
    if (caps.IsSequence())
      for (const auto& c : caps) check_capability(sink, line_of(c), scalar(c), who);
    check_environment(sink, child(svc, "environment"), who);
    std::string image = scalar(child(svc, "image"));
    check_command(sink, child(svc, "command"), image);
    check_command(sink, child(svc, "entrypoint"), "");
  }
}

}  // namespace sockwarden::lint
