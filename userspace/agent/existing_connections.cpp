#include "agent/existing_connections.h"

#include <dirent.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ctime>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "audit/live_connections.h"
#include "audit/process_context.h"
#include "events.h"

namespace sockwarden {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "Uid:\t0\t0\t0\t0" -> {0, 0}
std::vector<uint32_t> status_numbers(const std::string& status, const std::string& key) {
  std::vector<uint32_t> out;
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    std::istringstream nums(line.substr(key.size() + 1));
    for (uint64_t v; nums >> v;) out.push_back(static_cast<uint32_t>(v));
    break;
  }
  return out;
}

}  // namespace

int fd_of_socket(const std::string& proc_root, pid_t pid, uint64_t ino) {
  std::string dir = proc_root + "/" + std::to_string(pid) + "/fd";
  std::string want = "socket:[" + std::to_string(ino) + "]";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return -1;
  int found = -1;
  char buf[64];
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), buf, sizeof buf - 1);
    if (n <= 0) continue;
    if (std::string(buf, static_cast<size_t>(n)) == want) {
      found = std::atoi(e->d_name);
      break;
    }
  }
  ::closedir(d);
  return found;
}

bool existing_connection_record(const ExistingClient& c, const std::string& proc_root, const std::string& cgroup2_root,
                                uint16_t tier_abi_id, uint64_t now_boot_ns, RawEvent& out) {
  CgroupPaths cgroups{cgroup2_root};
  return existing_connection_record(c, proc_root, cgroups, tier_abi_id, now_boot_ns, out);
}

bool existing_connection_record(const ExistingClient& c, const std::string& proc_root, CgroupPaths& cgroups,
                                uint16_t tier_abi_id, uint64_t now_boot_ns, RawEvent& out) {
  std::string base = proc_root + "/" + std::to_string(c.pid);
  std::string status = read_text(base + "/status");
  if (status.empty()) return false;  // exited since the dump
  RawEvent r;
  r.kind = EventKind::Connect;
  r.tier = tier_abi_id;
  r.ts_boot_ns = now_boot_ns;
  r.pid = r.tgid = static_cast<uint32_t>(c.pid);
  auto ppid = status_numbers(status, "PPid");
  if (!ppid.empty()) r.ppid = ppid[0];
  auto uid = status_numbers(status, "Uid");
  if (uid.size() >= 2) r.uid = uid[0], r.euid = uid[1];
  auto gid = status_numbers(status, "Gid");
  if (!gid.empty()) r.gid = gid[0];
  r.comm = read_text(base + "/comm");
  while (!r.comm.empty() && r.comm.back() == '\n') r.comm.pop_back();
  r.pidns = static_cast<uint32_t>(audit::ns_inode(proc_root, c.pid, "pid"));
  r.mntns = static_cast<uint32_t>(audit::ns_inode(proc_root, c.pid, "mnt"));
  r.netns = static_cast<uint32_t>(audit::ns_inode(proc_root, c.pid, "net"));
  // On cgroup v2 the id BPF reports is the cgroup directory's inode.
  std::string cg = v2_cgroup_line(read_text(base + "/cgroup"));
  if (!cgroups.root.empty() && !cg.empty()) {
    if (!is_namespace_relative(cg, cgroups.private_ns)) {
      struct stat st {};
      if (::stat((cgroups.root + cg).c_str(), &st) == 0) r.cgroup_id = st.st_ino;
    } else {
      if (!cgroups.nodes) cgroups.nodes = list_cgroups(cgroups.root);
      if (auto node = find_process_cgroup(cgroups.root, *cgroups.nodes, cg, c.pid)) r.cgroup_id = node->id;
    }
  }
  r.watch_id = c.watch_id;
  r.sock_ino = c.listener_ino;
  r.sock_dev = c.listener_dev;
  r.client_sock_ino = c.client_ino;
  r.fd = fd_of_socket(proc_root, c.pid, c.client_ino);
  if (r.fd < 0) r.flags |= SW_F_FD_UNKNOWN;
  out = std::move(r);
  return true;
}

std::vector<ExistingClient> find_existing_clients(const std::vector<ResolvedWatch>& watches,
                                                  const std::string& proc_root, ContainerResolver& containers,
                                                  std::vector<std::string>* warnings) {
  std::vector<audit::RuntimeSocket> sockets;
  std::map<std::pair<uint32_t, uint64_t>, const ResolvedWatch*> by_key;
  for (const auto& w : watches) {
    if (w.key.kind != SW_WATCH_PATH) continue;  // abstract: no inode for UNIX_DIAG_VFS to name
    audit::RuntimeSocket s;
    s.path = w.path;
    s.dev = makedev(w.key.dev >> 20, w.key.dev & 0xfffff);  // match_connections wants st_dev
    s.ino = w.key.ino;
    sockets.push_back(std::move(s));
    by_key[{w.key.dev, w.key.ino}] = &w;
  }
  std::vector<ExistingClient> out;
  if (sockets.empty()) return out;
  audit::ProcessContext context(proc_root, containers);
  audit::LiveConnections live = audit::find_live_connections(sockets, proc_root, context);
  if (warnings) *warnings = live.warnings;
  const pid_t self = ::getpid();
  for (const auto& conn : live.connections) {
    const ResolvedWatch* w = nullptr;
    for (const auto& s : sockets)
      if (s.path == conn.socket_path) w = by_key[{kernel_dev(s.dev), static_cast<uint64_t>(s.ino)}];
    if (!w) continue;
    for (const auto& p : conn.clients) {
      if (p.pid == self) continue;
      ExistingClient c;
      c.watch_id = w->watch_id;
      c.listener_ino = w->key.ino;
      c.listener_dev = w->key.dev;
      c.client_ino = conn.client_ino;
      c.pending = conn.pending;
      c.pid = p.pid;
      out.push_back(c);
    }
  }
  return out;
}

std::vector<Event> existing_connection_events(const std::vector<ResolvedWatch>& watches, const std::string& proc_root,
                                              CgroupPaths cgroups, uint16_t tier_abi_id,
                                              ContainerResolver& containers, EventBuilder& builder) {
  std::vector<Event> out;
  try {
    std::vector<std::string> warnings;
    auto clients = find_existing_clients(watches, proc_root, containers, &warnings);
    for (const auto& w : warnings) spdlog::warn("existing connections: {}", w);
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);  // the clock BPF records use, so BootClock converts it
    const uint64_t now_boot_ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
    for (const auto& c : clients) {
      RawEvent raw;
      if (!existing_connection_record(c, proc_root, cgroups, tier_abi_id, now_boot_ns, raw)) continue;
      Event e = builder.build(std::move(raw));
      e.action = "existing-connection";
      if (c.pending) e.flags.push_back("not-accepted");
      out.push_back(std::move(e));
    }
  } catch (const std::exception& ex) {
    spdlog::warn("existing connections could not be listed: {}", ex.what());
  }
  return out;
}

}  // namespace sockwarden
