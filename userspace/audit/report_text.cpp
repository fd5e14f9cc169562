#include "audit/report_text.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "format/safe_text.h"

namespace sockwarden::audit {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string join(const std::vector<std::string>& xs, const char* sep = ", ") {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::string container_or_host(const ProcessRef& p, const char* otherwise = "host") {
  if (!p.container) return otherwise;
  return "container " + (p.container->name.empty() ? p.container->ref.id.substr(0, 12) : p.container->name);
}

void heading(std::ostream& out, const std::string& h) { out << "\n== " << h << " ==\n"; }

// Comm, exe, names, paths, titles and evidence come from processes,
// containers and state files: ESC, CR, LF and the like are escaped so that
// they cannot rewrite the report on a terminal.
std::string t(const std::string& s) { return escape_for_terminal(s); }
std::string t(const std::vector<std::string>& xs, const char* sep = ", ") { return t(join(xs, sep)); }

}  // namespace

void report_text(std::ostream& out, const AuditReport& r) {
  std::map<Severity, int> n;
  for (const auto& f : r.findings) n[f.severity]++;
  out << "sockwarden audit of " << t(r.hostname) << " at " << t(r.time) << "\n";
  out << "result: " << n[Severity::Critical] << " critical, " << n[Severity::High] << " high, "
      << n[Severity::Medium] << " medium, " << n[Severity::Low] << " low, " << n[Severity::Info]
      << " info -> exit " << r.exit_code() << "\n";

  heading(out, "Findings (worst first)");
  if (r.findings.empty()) out << "  none\n";
  for (const auto& f : r.findings) {
    std::string tag = "[" + upper(severity_name(f.severity)) + "]";
    out << "  " << tag << std::string(tag.size() < 11 ? 11 - tag.size() : 1, ' ') << t(f.title) << "\n";
    for (const auto& e : f.evidence) out << "             evidence: " << t(e) << "\n";
    if (!f.remediation.empty()) out << "             fix:      " << t(f.remediation) << "\n";
    out << "             check:    " << t(f.check) << "\n";
  }

  heading(out, "Runtime sockets");
  if (r.sockets.empty()) out << "  none of the runtime sockets exists\n";
  for (const auto& s : r.sockets) {
    out << "  " << t(s.path) << (s.realpath != s.path ? " -> " + t(s.realpath) : "") << "\n";
    out << "      inode " << s.ino << "  mode " << mode_string(s.mode) << "  owner "
        << (s.owner.empty() ? std::to_string(s.uid) : t(s.owner)) << "  group "
        << (s.group.empty() ? std::to_string(s.gid) : t(s.group)) << "  group members: "
        << (s.group_members.empty() ? "none" : t(s.group_members)) << "\n";
    if (s.rootless_uid) out << "      rootless daemon of uid " << *s.rootless_uid << "\n";
    for (const auto& [path, p] : r.live.listeners)
      if (path == s.path) out << "      daemon: " << t(describe_process(p)) << "\n";
  }

  heading(out, "Daemons on TCP");
  if (r.tcp.listening.empty() && r.tcp.configured.empty()) out << "  none found\n";
  for (const auto& e : r.tcp.listening)
    out << "  " << t(e.daemon.comm) << " pid " << e.daemon.pid << "  " << t(e.listener.address) << ":" << e.listener.port
        << "  TLS " << (!e.tls_known ? "unknown" : e.tls.tlsverify ? "yes, client certs verified" : e.tls.tls ? "yes, no client verification" : "NO")
        << "\n";
  for (const auto& c : r.tcp.configured)
    out << "  " << t(c.daemon.comm) << " pid " << c.daemon.pid << "  configured " << t(c.tls.tcp_hosts, " ")
        << " (not seen listening here)  TLS "
        << (c.tls.tlsverify ? "yes, verified" : c.tls.tls ? "yes, no client verification" : "NO") << "\n";

  heading(out, "Socket reachable from other mount namespaces (matched by inode)");
  if (r.reach.empty()) out << "  none\n";
  for (const auto& m : r.reach)
    out << "  " << t(container_or_host(m.process, "not a container")) << "  sees " << t(m.socket_path) << " at "
        << t(m.path_inside) << "  ("
        << (m.socket_itself ? "socket mounted" : "via " + t(m.mount_source) + " on " + t(m.mount_point)) << "; "
        << t(describe_process(m.process)) << "; mnt ns " << m.mntns << ")\n";

  heading(out, "Connected now");
  if (r.live.connections.empty()) out << "  none\n";
  for (const auto& c : r.live.connections) {
    if (c.clients.empty()) {
      out << "  " << t(c.socket_path) << "  <- socket " << c.client_ino << " (no process holds it)\n";
      continue;
    }
    for (const auto& p : c.clients)
      out << "  " << t(c.socket_path) << "  <- " << t(describe_process(p)) << "  [" << t(container_or_host(p)) << "]"
          << (c.pending ? "  (not accepted yet)" : "") << (p.cmdline.empty() ? "" : "  " + t(printable_cmdline(p.cmdline)))
          << "\n";
  }

  heading(out, "Containers (from the runtimes' state on disk)");
  if (r.containers.empty()) out << "  none found\n";
  for (const auto& c : r.containers) {
    std::vector<std::string> notes;
    if (!c.error.empty()) notes.push_back("NOT EVALUATED: " + c.error);
    if (c.config.privileged) notes.push_back("PRIVILEGED");
    if (c.config.pid_mode == "host") notes.push_back("pid=host");
    if (c.config.network_mode == "host") notes.push_back("net=host");
    if (c.config.ipc_mode == "host") notes.push_back("ipc=host");
    if (!c.config.cap_add.empty()) notes.push_back("cap-add " + join(c.config.cap_add, ","));
    std::vector<std::string> binds;
    for (const auto& m : c.config.mounts)
      if (!m.source.empty() && m.type != "volume") binds.push_back(m.source + ":" + m.destination + (m.read_write ? "" : ":ro"));
    out << "  " << t(c.name) << "  " << t(c.runtime) << " " << t(c.id.substr(0, 12)) << "  "
        << (c.image.empty() ? "-" : t(c.image)) << "  " << (c.running ? "running" : "not running")
        << (notes.empty() ? "" : "  " + t(notes, " ")) << (binds.empty() ? "" : "  binds " + t(binds, " "))
        << "\n";
  }

  if (!r.warnings.empty()) {
    heading(out, "Not checked");
    for (const auto& w : r.warnings) out << "  " << t(w) << "\n";
  }
  out << "\nexit codes: 0 nothing above info/low, 1 high or medium findings, 2 critical findings\n";
}

}  // namespace sockwarden::audit
