#include "audit/process_context.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "enrich/cgroup_layout.h"

namespace sockwarden::audit {
namespace {

bool all_digits(const char* s) {
  if (!*s) return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// "socket:[123]" / "mnt:[123]" -> 123
uint64_t bracket_number(const std::string& link) {
  auto l = link.find('[');
  auto r = link.find(']');
  if (l == std::string::npos || r == std::string::npos || r <= l + 1) return 0;
  return std::strtoull(link.substr(l + 1, r - l - 1).c_str(), nullptr, 10);
}

}  // namespace

std::vector<pid_t> list_pids(const std::string& proc_root) {
  std::vector<pid_t> out;
  DIR* d = ::opendir(proc_root.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d))
    if (all_digits(e->d_name)) out.push_back(static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10)));
  ::closedir(d);
  std::sort(out.begin(), out.end());  // stable reports: lowest pid first
  return out;
}

uint64_t ns_inode(const std::string& proc_root, pid_t pid, const char* ns) {
  return bracket_number(read_link(proc_root + "/" + std::to_string(pid) + "/ns/" + ns));
}

std::string container_cgroup_path(const std::string& text) {
  std::string v2, v1_container;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto a = line.find(':');
    if (a == std::string::npos) continue;
    auto b = line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string path = line.substr(b + 1);
    if (line.compare(0, a + 1, "0:") == 0 && b == a + 1) {
      v2 = path;
    } else if (v1_container.empty() && parse_container_cgroup(path)) {
      v1_container = path;
    }
  }
  if (!v2.empty() && parse_container_cgroup(v2)) return v2;
  if (!v1_container.empty()) return v1_container;
  return v2;
}

std::map<uint64_t, std::vector<pid_t>> socket_owners(const std::string& proc_root) {
  std::map<uint64_t, std::vector<pid_t>> out;
  for (pid_t pid : list_pids(proc_root)) {
    std::string dir = proc_root + "/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;  // exited, or a kernel thread
    while (dirent* e = ::readdir(d)) {
      if (!all_digits(e->d_name)) continue;
      std::string link = read_link(dir + "/" + e->d_name);
      if (link.rfind("socket:[", 0) != 0) continue;
      auto& pids = out[bracket_number(link)];
      if (pids.empty() || pids.back() != pid) pids.push_back(pid);
    }
    ::closedir(d);
  }
  return out;
}

ProcessContext::ProcessContext(std::string proc_root, ContainerResolver& containers)
    : proc_root_(std::move(proc_root)), table_(proc_root_), containers_(containers) {}

ProcessRef ProcessContext::describe(pid_t pid) {
  ProcessRef r;
  r.pid = pid;
  if (const ProcessEntry* e = table_.lookup(static_cast<uint32_t>(pid))) {
    r.comm = e->name;
    r.exe = e->executable;
    r.cmdline = e->command_line();
    r.uid = e->uid;
  }
  r.mntns = ns_inode(proc_root_, pid, "mnt");
  r.netns = ns_inode(proc_root_, pid, "net");
  std::ifstream in(proc_root_ + "/" + std::to_string(pid) + "/cgroup");
  std::stringstream ss;
  ss << in.rdbuf();
  r.cgroup = container_cgroup_path(ss.str());
  if (!r.cgroup.empty()) r.container = containers_.resolve(r.cgroup);
  return r;
}

std::string printable_cmdline(const std::string& cmdline, size_t max) {
  std::string out;
  for (char c : cmdline) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  if (out.size() > max) out = out.substr(0, max) + "...";
  return out;
}

std::string describe_process(const ProcessRef& p) {
  std::string s = "pid " + std::to_string(p.pid) + " " + (p.comm.empty() ? "?" : p.comm);
  if (!p.exe.empty()) s += " (" + p.exe + ")";
  s += " uid " + std::to_string(p.uid);
  if (p.container) {
    const auto& c = *p.container;
    s += " in container " + (c.name.empty() ? c.ref.id.substr(0, 12) : c.name);
    if (!c.image.empty()) s += " (" + c.image + ")";
  }
  return s;
}

}  // namespace sockwarden::audit
