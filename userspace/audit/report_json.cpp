#include "audit/report_json.h"

#include <sys/sysmacros.h>

#include <map>

namespace sockwarden::audit {
namespace {

using nlohmann::json;

json container_json(const std::optional<ContainerInfo>& c) {
  if (!c) return nullptr;
  return {{"id", c->ref.id}, {"name", c->name}, {"image", c->image}, {"runtime", c->ref.runtime}};
}

json process_json(const ProcessRef& p) {
  return {{"pid", p.pid},       {"name", p.comm},     {"executable", p.exe}, {"command_line", p.cmdline},
          {"uid", p.uid},       {"mntns", p.mntns},   {"netns", p.netns},    {"cgroup", p.cgroup},
          {"container", container_json(p.container)}};
}

json mounts_json(const std::vector<HostMount>& ms) {
  json out = json::array();
  for (const auto& m : ms)
    out.push_back({{"source", m.source}, {"destination", m.destination}, {"rw", m.read_write}, {"type", m.type}});
  return out;
}

}  // namespace

json report_json(const AuditReport& r) {
  std::map<std::string, int> counts{{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"info", 0}};
  for (const auto& f : r.findings) counts[severity_name(f.severity)]++;

  json sockets = json::array();
  for (const auto& s : r.sockets) {
    json listeners = json::array();
    for (const auto& [path, p] : r.live.listeners)
      if (path == s.path) listeners.push_back(process_json(p));
    sockets.push_back({{"path", s.path},
                       {"realpath", s.realpath},
                       {"inode", s.ino},
                       {"device", std::to_string(major(s.dev)) + ":" + std::to_string(minor(s.dev))},
                       {"mode", mode_string(s.mode)},
                       {"owner", {{"uid", s.uid}, {"name", s.owner}}},
                       {"group", {{"gid", s.gid}, {"name", s.group}, {"members", s.group_members}}},
                       {"rootless_uid", s.rootless_uid ? json(*s.rootless_uid) : json(nullptr)},
                       {"listeners", listeners}});
  }

  json tcp = json::array();
  for (const auto& e : r.tcp.listening)
    tcp.push_back({{"daemon", process_json(e.daemon)},
                   {"address", e.listener.address},
                   {"port", e.listener.port},
                   {"loopback", e.listener.loopback},
                   {"tls_known", e.tls_known},
                   {"tls", e.tls.tls},
                   {"tlsverify", e.tls.tlsverify},
                   {"configured_hosts", e.tls.tcp_hosts},
                   {"listening", true}});
  for (const auto& c : r.tcp.configured)
    tcp.push_back({{"daemon", process_json(c.daemon)},
                   {"tls_known", true},
                   {"tls", c.tls.tls},
                   {"tlsverify", c.tls.tlsverify},
                   {"configured_hosts", c.tls.tcp_hosts},
                   {"listening", false}});

  json mounts = json::array();
  for (const auto& m : r.reach)
    mounts.push_back({{"socket", m.socket_path},
                      {"inode", m.socket_ino},
                      {"path_inside", m.path_inside},
                      {"mount_point", m.mount_point},
                      {"mount_source", m.mount_source},
                      {"socket_itself", m.socket_itself},
                      {"mntns", m.mntns},
                      {"pids", m.pids},
                      {"process", process_json(m.process)},
                      {"container", container_json(m.process.container)}});

  json conns = json::array();
  for (const auto& c : r.live.connections) {
    json procs = json::array();
    for (const auto& p : c.clients) procs.push_back(process_json(p));
    conns.push_back({{"socket", c.socket_path},
                     {"client_inode", c.client_ino},
                     {"server_inode", c.server_ino},
                     {"pending", c.pending},
                     {"processes", procs}});
  }

  json containers = json::array();
  for (const auto& c : r.containers)
    containers.push_back({{"runtime", c.runtime},
                          {"id", c.id},
                          {"name", c.name},
                          {"image", c.image},
                          {"running", c.running},
                          {"privileged", c.config.privileged},
                          {"pid_mode", c.config.pid_mode},
                          {"network_mode", c.config.network_mode},
                          {"ipc_mode", c.config.ipc_mode},
                          {"cap_add", c.config.cap_add},
                          {"devices", c.config.devices},
                          {"security_opt", c.config.security_opt},
                          {"mounts", mounts_json(c.config.mounts)}});

  json findings = json::array();
  for (const auto& f : r.findings) {
    json j = {{"severity", severity_name(f.severity)},
              {"check", f.check},
              {"subject", f.subject},
              {"title", f.title},
              {"evidence", f.evidence},
              {"remediation", f.remediation}};
    j["container"] = f.container_id.empty() ? json(nullptr)
                                            : json{{"id", f.container_id}, {"name", f.container_name}};
    j["socket"] = f.socket_path.empty() ? json(nullptr) : json(f.socket_path);
    findings.push_back(std::move(j));
  }

  return {{"audit",
           {{"tool", "sockwarden"},
            {"format", 1},
            {"host", r.hostname},
            {"time", r.time},
            {"exit_code", r.exit_code()},
            {"counts", counts}}},
          {"findings", findings},
          {"sockets", sockets},
          {"tcp", tcp},
          {"mounts", mounts},
          {"connections", conns},
          {"containers", containers},
          {"warnings", r.warnings}};
}

}  // namespace sockwarden::audit
