#include "audit/live_connections.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <thread>

#include "capture/errors.h"
#include "capture/watch_list.h"

namespace sockwarden::audit {
namespace {

constexpr uint8_t kListen = 10;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

}  // namespace

std::vector<UnixSockDiag> dump_unix_sockets() {
  Fd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (nl.fd < 0) throw UserError(kExitRuntime, errno_text("socket(NETLINK_SOCK_DIAG)", errno));
  struct {
    nlmsghdr nlh;
    unix_diag_req req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = ~0u;
  msg.req.udiag_show = UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS;
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (::sendto(nl.fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
    throw UserError(kExitRuntime, errno_text("sock_diag request", errno));

  std::vector<UnixSockDiag> out;
  alignas(nlmsghdr) char buf[32768];
  for (;;) {
    ssize_t n = ::recv(nl.fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw UserError(kExitRuntime, errno_text("sock_diag receive", errno));
    }
    if (n == 0) return out;
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return out;
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
        throw UserError(kExitRuntime, errno_text("sock_diag dump", -e->error));
      }
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(unix_diag_msg))) continue;
      auto* m = static_cast<unix_diag_msg*>(NLMSG_DATA(h));
      UnixSockDiag d;
      d.ino = m->udiag_ino;
      d.state = m->udiag_state;
      int alen = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
      for (auto* a = reinterpret_cast<rtattr*>(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (a->rta_type == UNIX_DIAG_VFS && RTA_PAYLOAD(a) >= sizeof(unix_diag_vfs)) {
          unix_diag_vfs v;
          std::memcpy(&v, RTA_DATA(a), sizeof v);
          d.vfs_ino = v.udiag_vfs_ino;
          d.vfs_dev = v.udiag_vfs_dev;
        } else if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
          std::memcpy(&d.peer_ino, RTA_DATA(a), sizeof d.peer_ino);
        } else if (a->rta_type == UNIX_DIAG_ICONS) {
          size_t n = RTA_PAYLOAD(a) / sizeof(uint32_t);
          const auto* p = static_cast<const unsigned char*>(RTA_DATA(a));
          for (size_t i = 0; i < n; ++i) {
            uint32_t ino = 0;
            std::memcpy(&ino, p + i * sizeof ino, sizeof ino);
            if (ino != 0) d.pending_clients.push_back(ino);
          }
        }
      }
      out.push_back(d);
    }
  }
}

std::optional<std::vector<UnixSockDiag>> dump_unix_sockets_in_netns_of(const std::string& proc_root, pid_t pid) {
  std::string path = proc_root + "/" + std::to_string(pid) + "/ns/net";
  int nsfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) return std::nullopt;
  std::optional<std::vector<UnixSockDiag>> result;
  // setns(CLONE_NEWNET) changes only the calling thread, and this thread
  // ends right after: the auditor's own namespace is never left.
  std::thread t([&] {
    if (::setns(nsfd, CLONE_NEWNET) != 0) return;
    try {
      result = dump_unix_sockets();
    } catch (const std::exception&) {
      result.reset();
    }
  });
  t.join();
  ::close(nsfd);
  return result;
}

LiveConnections match_connections(const std::vector<RuntimeSocket>& sockets, const std::vector<UnixSockDiag>& diag,
                                  const std::map<uint64_t, std::vector<pid_t>>& owners, ProcessContext& context) {
  LiveConnections live;
  std::set<uint32_t> seen_client;
  auto add = [&](const std::string& path, uint32_t server, uint32_t client, bool pending) {
    if (client == 0 || !seen_client.insert(client).second) return;
    LiveConnection c;
    c.socket_path = path;
    c.server_ino = server;
    c.client_ino = client;
    c.pending = pending;
    auto it = owners.find(client);
    if (it != owners.end())
      for (pid_t pid : it->second) c.clients.push_back(context.describe(pid));
    live.connections.push_back(std::move(c));
  };
  for (const auto& s : sockets) {
    uint32_t kdev = kernel_dev(s.dev);
    std::vector<uint32_t> pending;
    for (const auto& d : diag) {
      if (d.vfs_ino != static_cast<uint32_t>(s.ino) || d.vfs_dev != kdev) continue;
      if (d.state == kListen) {
        auto it = owners.find(d.ino);
        if (it != owners.end())
          for (pid_t pid : it->second) live.listeners.emplace_back(s.path, context.describe(pid));
        pending.insert(pending.end(), d.pending_clients.begin(), d.pending_clients.end());
        continue;
      }
      add(s.path, d.ino, d.peer_ino, false);
    }
    // After the accepted ones: a client accepted between the two looks is listed once.
    for (uint32_t client : pending) add(s.path, 0, client, true);
  }
  return live;
}

LiveConnections find_live_connections(const std::vector<RuntimeSocket>& sockets, const std::string& proc_root,
                                      ProcessContext& context) {
  std::vector<UnixSockDiag> all = dump_unix_sockets();
  std::vector<std::string> warnings;
  uint64_t self_net = ns_inode(proc_root, ::getpid(), "net");
  std::set<uint64_t> done{self_net};
  for (pid_t pid : list_pids(proc_root)) {
    uint64_t ns = ns_inode(proc_root, pid, "net");
    if (ns == 0 || !done.insert(ns).second) continue;
    auto more = dump_unix_sockets_in_netns_of(proc_root, pid);
    if (!more) {
      warnings.push_back("network namespace " + std::to_string(ns) + " (pid " + std::to_string(pid) +
                         ") not readable: its connections are not listed");
      continue;
    }
    all.insert(all.end(), more->begin(), more->end());
  }
  auto owners = socket_owners(proc_root);
  LiveConnections live = match_connections(sockets, all, owners, context);
  live.warnings = std::move(warnings);
  return live;
}

std::vector<Finding> live_connection_findings(const LiveConnections& live) {
  std::vector<Finding> out;
  for (const auto& c : live.connections) {
    Finding f;
    f.check = "live-connection";
    f.socket_path = c.socket_path;
    f.evidence.push_back("client socket inode " + std::to_string(c.client_ino) +
                         (c.pending ? ", not accepted by the daemon yet" : ", daemon side " + std::to_string(c.server_ino)));
    if (c.clients.empty()) {
      f.severity = Severity::Info;
      f.subject = c.socket_path;
      f.title = "connection to " + c.socket_path + " from a socket no process holds open (passed on or closing)";
      out.push_back(std::move(f));
      continue;
    }
    const ProcessRef& p = c.clients.front();
    for (const auto& q : c.clients) f.evidence.push_back(describe_process(q) + (q.cmdline.empty() ? "" : ": " + printable_cmdline(q.cmdline)));
    if (p.container) {
      f.severity = Severity::High;
      f.container_id = p.container->ref.id;
      f.container_name = p.container->name.empty() ? p.container->ref.id.substr(0, 12) : p.container->name;
      f.container_image = p.container->image;
      f.container_runtime = p.container->ref.runtime;
      f.subject = "container " + f.container_name;
      f.title = "container " + f.container_name + " is connected to " + c.socket_path + " now (pid " +
                std::to_string(p.pid) + " " + p.comm + ")";
      f.remediation = remedy::kLiveFromContainer;
    } else {
      f.severity = Severity::Info;
      f.subject = "pid " + std::to_string(p.pid);
      f.title = "pid " + std::to_string(p.pid) + " (" + p.comm + ", uid " + std::to_string(p.uid) +
                ") is connected to " + c.socket_path;
      f.remediation = remedy::kLiveFromHost;
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace sockwarden::audit
