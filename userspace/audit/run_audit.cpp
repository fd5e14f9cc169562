#include "audit/run_audit.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "audit/group_members.h"
#include "audit/process_context.h"
#include "audit/report_json.h"
#include "audit/report_text.h"
#include "capture/errors.h"
#include "capture/watch_list.h"
#include "enrich/container_resolver.h"
#include "enrich/docker_data_root.h"
#include "format/safe_text.h"

namespace sockwarden {

using namespace audit;

void validate_audit_options(const AuditOptions& o) {
  for (const auto& s : o.sockets) {
    auto err = WatchList::validate_spec(s);
    if (!err.empty()) throw UserError(kExitUsage, "--socket '" + s + "': " + err);
    if (!s.empty() && s[0] == '@')
      throw UserError(kExitUsage, "--socket '" + s + "': abstract sockets have no inode or permissions to audit");
  }
  if (o.no_default_sockets && o.sockets.empty())
    throw UserError(kExitUsage, "--no-default-sockets needs at least one --socket PATH");
  std::string root_error;
  normalize_host_root(o.host_root, &root_error);
  if (!root_error.empty()) throw UserError(kExitUsage, "--host-root " + root_error);
}

namespace {

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

template <typename F>
void attempt(std::vector<std::string>& warnings, std::vector<Finding>& findings, const char* what, F&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    warnings.push_back(std::string(what) + ": " + e.what());
    // Also a finding: a section that could not be evaluated is unknown, not
    // clean, and the continuous audit must not resolve its findings.
    // Low: the exit code stays what the evaluated sections say (a section
    // can fail for reasons of the host, e.g. a kernel without /proc/net/tcp6).
    Finding f;
    f.severity = Severity::Low;
    f.check = kAuditErrorCheck;
    f.subject = what;
    f.title = std::string(what) + " could not be evaluated: " + e.what();
    f.remediation = "Run sockwarden audit -v to see the failing input.";
    findings.push_back(std::move(f));
  }
}

}  // namespace

AuditReport collect_audit(const AuditOptions& o) {
  validate_audit_options(o);
  AuditReport r;
  r.hostname = host_name();
  r.time = now_rfc3339();

  // --host-root: the host's files are read under it (root_dir, used below for
  // /etc and daemon.json, is the same prefix); /proc stays o.proc_root, and the
  // host's mount namespace is the one of the process DIR is /proc/PID/root of.
  const std::string host_root = normalize_host_root(o.host_root, nullptr);
  const std::string root_dir = host_root.empty() ? o.root_dir : host_root;
  const pid_t host_pid = host_root.empty() ? ::getpid() : host_root_pid(host_root);
  const uint64_t host_mntns = ns_inode(o.proc_root, host_pid, "mnt");
  // Runtime state directories are host paths: under the host root too.
  auto on_host = [&](const std::string& path) { return host_root.empty() || path.empty() ? path : host_root + path; };

  std::vector<std::string> specs = o.no_default_sockets ? std::vector<std::string>{} : default_socket_specs();
  specs.insert(specs.end(), o.sockets.begin(), o.sockets.end());
  UserDb users = UserDb::load(root_dir + "/etc");
  r.sockets = inventory_sockets(specs, users, host_root);
  for (const auto& s : o.sockets)
    if (s.find_first_of("*?[") == std::string::npos) {
      bool found = false;
      for (const auto& rs : r.sockets) found = found || rs.path == s;
      if (!found) r.warnings.push_back("--socket " + s + ": not a socket (or not there)");
    }

  RuntimeRoots roots;
  std::string containerd_state = o.containerd_state.empty() ? "/run/containerd" : o.containerd_state;
  roots.containerd_state = containerd_state + "/io.containerd.runtime.v2.task";
  if (!o.containers_runroot.empty())
    roots.podman_rootful_run = roots.crio_state = o.containers_runroot + "/overlay-containers";
  for (auto* dir : {&roots.docker_data_root, &roots.containerd_state, &roots.crio_state, &roots.crio_config,
                    &roots.podman_rootful, &roots.podman_rootful_run, &roots.podman_rootless_glob,
                    &roots.podman_rootless_run_glob})
    *dir = on_host(*dir);
  ContainerResolver resolver(roots);
  std::vector<std::string> docker_roots = o.docker_data_roots;
  for (auto& d : running_docker_data_roots(o.proc_root, root_dir + "/etc/docker/daemon.json", 0,
                                           host_root.empty() ? 0 : host_mntns))
    if (std::find(docker_roots.begin(), docker_roots.end(), d) == docker_roots.end()) docker_roots.push_back(d);
  for (auto& d : docker_roots) d = on_host(d);
  resolver.set_docker_data_roots(docker_roots);
  ProcessContext context(o.proc_root, resolver);

  std::vector<Finding> findings = socket_findings(r.sockets);
  if (::geteuid() != 0) {
    // Without root, other users' mounts, fds and runtime state are unreadable:
    // a clean report would be a false "all clear", so it is at least a warning.
    Finding f;
    f.severity = Severity::Medium;
    f.check = "audit-incomplete";
    f.subject = "this audit";
    f.title = "not running as root: other users' processes, mounts, connections and container state are invisible";
    f.evidence.push_back("euid " + std::to_string(::geteuid()));
    f.remediation = "Run it again as root (sudo sockwarden audit).";
    findings.push_back(std::move(f));
  }

  std::map<uint64_t, std::vector<pid_t>> owners;
  attempt(r.warnings, findings, "process fds", [&] { owners = socket_owners(o.proc_root); });
  attempt(r.warnings, findings, "TCP exposure", [&] {
    r.tcp = find_tcp_exposure(o.proc_root, root_dir, owners, context, host_root.empty() ? 0 : host_mntns);
    auto f = tcp_findings(r.tcp);
    findings.insert(findings.end(), f.begin(), f.end());
  });
  attempt(r.warnings, findings, "mounts", [&] {
    // The host's mount table: the auditor's own, or (--host-root) that of the
    // host process, in whose namespace the socket paths were looked up.
    const std::string host_mountinfo =
        host_root.empty() ? o.proc_root + "/self/mountinfo" : o.proc_root + "/" + std::to_string(host_pid) + "/mountinfo";
    r.reach = find_mount_reach(r.sockets, o.proc_root, host_mountinfo, host_mntns, context);
    auto f = mount_reach_findings(r.reach);  // before the configured ones: see finalize_findings
    findings.insert(findings.end(), f.begin(), f.end());
  });
  attempt(r.warnings, findings, "live connections", [&] {
    r.live = find_live_connections(r.sockets, o.proc_root, context);
    for (auto& w : r.live.warnings) r.warnings.push_back(w);
    auto f = live_connection_findings(r.live);
    findings.insert(findings.end(), f.begin(), f.end());
  });
  attempt(r.warnings, findings, "container state", [&] {
    r.containers = docker_postures(docker_roots);
    auto more = containerd_postures(roots.containerd_state);
    r.containers.insert(r.containers.end(), more.begin(), more.end());
    more = storage_postures(roots.crio_state);
    r.containers.insert(r.containers.end(), more.begin(), more.end());
    for (auto& c : r.containers) {
      std::vector<Finding> f;
      try {  // one container that cannot be evaluated is its own audit-error
        f = posture_findings(c, r.sockets);
      } catch (const std::exception& e) {
        c.error = e.what();
        f = {audit_error_finding(c)};
      }
      findings.insert(findings.end(), f.begin(), f.end());
    }
  });
  finalize_findings(findings);
  r.findings = std::move(findings);
  return r;
}

int run_audit(const AuditOptions& o, std::ostream& out) {
  AuditReport r = collect_audit(o);
  if (o.json)
    out << safe_dump(report_json(r), 2) << "\n";
  else
    report_text(out, r);
  out.flush();
  return r.exit_code();
}

}  // namespace sockwarden
