#include "lint/workload_checks.h"

#include "decode/risk_flags.h"
#include "lint/rules.h"
#include "lint/runtime_sockets.h"

namespace sockwarden::lint {

void check_mount_source(FindingSink& sink, int line, std::string_view host_path, const std::string& who) {
  ExposureMatch m = runtime_socket_exposure(host_path);
  if (m.kind == SocketExposure::Socket)
    sink.add(line, rule::kSocketMount,
             who + " mounts runtime socket " + std::string(host_path) + " (matches " + m.socket + ")");
  else if (m.kind == SocketExposure::ParentDir)
    sink.add(line, rule::kSocketDirMount,
             who + " mounts " + std::string(host_path) + ", a directory holding runtime socket " + m.socket);
}

void check_capability(FindingSink& sink, int line, std::string_view cap, const std::string& who) {
  std::string c = normalize_cap(cap);
  if (c.empty()) return;
  Severity sev = c == "ALL" ? Severity::Critical : cap_is_critical(c) ? Severity::High : Severity::Medium;
  sink.add(line, rule::kCapAdd, sev, who + " adds capability " + c);
}

bool is_tcp_endpoint(std::string_view v) {
  while (!v.empty() && (v.front() == '"' || v.front() == '\'')) v.remove_prefix(1);
  return v.rfind("tcp://", 0) == 0 || v.rfind("http://", 0) == 0;
}

bool yaml_true(std::string_view v) {
  return v == "true" || v == "True" || v == "TRUE" || v == "yes" || v == "Yes" || v == "on";
}

}  // namespace sockwarden::lint
