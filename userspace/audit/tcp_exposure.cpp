#include "audit/tcp_exposure.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "enrich/cmdline_args.h"
#include "enrich/host_process.h"
#include "enrich/small_file.h"

namespace sockwarden::audit {
namespace {

// "--tls", "--tls=true" -> true; "--tls=false" -> false; nullopt: not this flag.
std::optional<bool> bool_flag(const std::string& arg, const std::string& name) {
  if (arg == name) return true;
  if (arg.rfind(name + "=", 0) == 0) {
    std::string v = arg.substr(name.size() + 1);
    return !(v == "false" || v == "0" || v == "False" || v == "FALSE");
  }
  return std::nullopt;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_tcp_host(const std::string& h) { return h.rfind("tcp://", 0) == 0; }

uint32_t hex32(const std::string& s) { return static_cast<uint32_t>(std::strtoul(s.c_str(), nullptr, 16)); }

}  // namespace

std::vector<TcpListener> parse_proc_net_tcp(const std::string& text, bool v6) {
  std::vector<TcpListener> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, timer, retr, uid, timeout, inode;
    if (!(f >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode)) continue;
    if (st != "0A") continue;
    auto colon = local.find(':');
    if (colon == std::string::npos) continue;
    std::string addr_hex = local.substr(0, colon);
    TcpListener l;
    l.port = static_cast<uint16_t>(std::strtoul(local.substr(colon + 1).c_str(), nullptr, 16));
    l.inode = std::strtoull(inode.c_str(), nullptr, 10);
    char buf[INET6_ADDRSTRLEN] = {};
    // The kernel prints each 32-bit word of the address in host byte order.
    if (!v6 && addr_hex.size() == 8) {
      in_addr a{};
      a.s_addr = hex32(addr_hex);
      inet_ntop(AF_INET, &a, buf, sizeof buf);
      l.loopback = (ntohl(a.s_addr) >> 24) == 127;
    } else if (v6 && addr_hex.size() == 32) {
      in6_addr a{};
      for (int w = 0; w < 4; ++w) {
        uint32_t word = hex32(addr_hex.substr(static_cast<size_t>(w) * 8, 8));
        std::memcpy(&a.s6_addr[w * 4], &word, 4);
      }
      inet_ntop(AF_INET6, &a, buf, sizeof buf);
      l.loopback = IN6_IS_ADDR_LOOPBACK(&a) ||
                   (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127);
    } else {
      continue;
    }
    l.address = buf;
    out.push_back(std::move(l));
  }
  return out;
}

DockerTls docker_tls_from(const std::string& cmdline, const std::string& root_dir,
                          const std::string& default_daemon_json, std::optional<uint32_t> config_owner) {
  DockerTls t;
  auto args = split_cmdline_args(cmdline);
  std::string config = default_daemon_json;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (auto v = bool_flag(a, "--tlsverify")) t.tlsverify = *v;
    else if (auto v2 = bool_flag(a, "--tls")) t.tls = *v2;
    else if ((a == "-H" || a == "--host") && i + 1 < args.size()) {
      if (is_tcp_host(args[i + 1])) t.tcp_hosts.push_back(args[i + 1]);
      ++i;
    } else if (a.rfind("--host=", 0) == 0 || a.rfind("-H=", 0) == 0 || (a.rfind("-H", 0) == 0 && a.size() > 2)) {
      std::string h = a.substr(a.find('=') != std::string::npos ? a.find('=') + 1 : 2);
      if (is_tcp_host(h)) t.tcp_hosts.push_back(h);
    } else if (a == "--config-file" && i + 1 < args.size()) {
      config = args[++i];
    } else if (a.rfind("--config-file=", 0) == 0) {
      config = a.substr(std::strlen("--config-file="));
    }
  }
  auto text = read_small_file(root_dir + config, 1u << 20, /*follow_symlinks=*/true, config_owner);
  if (text) {
    t.config_file = config;
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_object()) {
      if (auto it = doc.find("tls"); it != doc.end() && it->is_boolean()) t.tls = t.tls || it->get<bool>();
      if (auto it = doc.find("tlsverify"); it != doc.end() && it->is_boolean())
        t.tlsverify = t.tlsverify || it->get<bool>();
      if (auto it = doc.find("hosts"); it != doc.end() && it->is_array())
        for (const auto& h : *it)
          if (h.is_string() && is_tcp_host(h.get<std::string>())) t.tcp_hosts.push_back(h.get<std::string>());
    }
  }
  if (t.tlsverify) t.tls = true;
  return t;
}

bool is_runtime_daemon(const std::string& exe_name) {
  // docker-proxy is not here: it forwards containers' published ports, not the API.
  static const std::set<std::string> kDaemons{"dockerd", "containerd", "podman", "crio", "buildkitd",
                                              "cri-dockerd", "rootlesskit", "dockerd-rootless"};
  return kDaemons.count(exe_name) > 0;
}

TcpAudit find_tcp_exposure(const std::string& proc_root, const std::string& root_dir,
                           const std::map<uint64_t, std::vector<pid_t>>& owners, ProcessContext& context,
                           uint64_t host_mntns) {
  TcpAudit out;
  std::vector<TcpListener> listeners = parse_proc_net_tcp(read_text(proc_root + "/net/tcp"), false);
  auto v6 = parse_proc_net_tcp(read_text(proc_root + "/net/tcp6"), true);
  listeners.insert(listeners.end(), v6.begin(), v6.end());
  const uint64_t host_ns = host_mount_ns(proc_root, host_mntns);
  auto trusted_dockerd = [&](pid_t pid) {
    return is_trusted_daemon(proc_root + "/" + std::to_string(pid), "dockerd", host_ns, 0);
  };
  std::set<pid_t> seen_daemons;
  for (const auto& l : listeners) {
    auto it = owners.find(l.inode);
    if (it == owners.end()) continue;
    for (pid_t pid : it->second) {
      ProcessRef p = context.describe(pid);
      // By the file it runs, not by comm (which any process sets itself).
      if (!is_runtime_daemon(p.exe.substr(p.exe.find_last_of('/') + 1))) continue;
      TcpExposure e;
      e.listener = l;
      e.daemon = p;
      // Anything else named dockerd is still reported ("TLS not
      // determined"), but its flags and config file are the user's own.
      if (trusted_dockerd(pid)) {
        e.tls_known = true;
        e.tls = docker_tls_from(p.cmdline, root_dir, "/etc/docker/daemon.json", 0);
      }
      seen_daemons.insert(pid);
      out.listening.push_back(std::move(e));
      break;
    }
  }
  // Hosts a dockerd was told to listen on, whose listener is not in this
  // network namespace's table (or not up yet).
  for (pid_t pid : list_pids(proc_root)) {
    if (seen_daemons.count(pid) || !trusted_dockerd(pid)) continue;
    ProcessRef p = context.describe(pid);
    DockerTls t = docker_tls_from(p.cmdline, root_dir, "/etc/docker/daemon.json", 0);
    if (!t.tcp_hosts.empty()) out.configured.push_back({p, t});
  }
  return out;
}

std::vector<Finding> tcp_findings(const TcpAudit& tcp) {
  std::vector<Finding> out;
  auto add = [&](const ProcessRef& d, const std::string& where, bool tls_known, const DockerTls& t,
                 const std::string& extra) {
    Finding f;
    f.subject = d.comm + " (pid " + std::to_string(d.pid) + ") " + where;
    f.evidence.push_back(describe_process(d) + (d.cmdline.empty() ? "" : ": " + printable_cmdline(d.cmdline)));
    if (!extra.empty()) f.evidence.push_back(extra);
    if (!t.config_file.empty()) f.evidence.push_back("config " + t.config_file);
    if (!tls_known) {
      f.severity = Severity::High;
      f.check = "tcp-tls-unknown";
      f.title = d.comm + " listens on TCP " + where + "; TLS not determined for this daemon";
      f.remediation = remedy::kTcpNoTls;
    } else if (!t.tls) {
      f.severity = Severity::Critical;
      f.check = "tcp-no-tls";
      f.title = d.comm + " API on TCP " + where + " without TLS: root for anyone who reaches the port";
      f.remediation = remedy::kTcpNoTls;
    } else if (!t.tlsverify) {
      f.severity = Severity::Critical;
      f.check = "tcp-tls-no-verify";
      f.title = d.comm + " API on TCP " + where + " with TLS but no client verification: anyone can connect";
      f.remediation = remedy::kTcpNoVerify;
    } else {
      f.severity = Severity::Medium;
      f.check = "tcp-tlsverify";
      f.title = d.comm + " API on TCP " + where + " (tlsverify): remote root API guarded by client certificates";
      f.remediation = remedy::kTcpTls;
    }
    out.push_back(std::move(f));
  };
  for (const auto& e : tcp.listening) {
    std::string where = (e.listener.address.find(':') != std::string::npos ? "[" + e.listener.address + "]"
                                                                           : e.listener.address) +
                        ":" + std::to_string(e.listener.port);
    std::string extra = "listening socket inode " + std::to_string(e.listener.inode) +
                        (e.listener.loopback ? " (loopback: every local user and container with host network)" : "");
    if (e.listener.port == 2375) extra += "; 2375 is Docker's plain-text API port";
    add(e.daemon, where, e.tls_known, e.tls, extra);
  }
  for (const auto& c : tcp.configured) {
    std::string hosts;
    for (const auto& h : c.tls.tcp_hosts) hosts += (hosts.empty() ? "" : " ") + h;
    add(c.daemon, hosts, true, c.tls, "configured (-H / \"hosts\"); listener not seen in this network namespace");
  }
  return out;
}

}  // namespace sockwarden::audit
