#include "audit/mount_reach.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <map>

namespace sockwarden::audit {
namespace {

// "/a/b" is under "/a" and under "/"; "/ab" is not under "/a".
bool under(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path[0] == '/';
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// The part of `path` below `dir` ("" if equal), with its leading '/'.
std::string rest_below(const std::string& path, const std::string& dir) {
  if (path == dir) return "";
  if (dir == "/") return path;
  return path.substr(dir.size());
}

std::string join_path(const std::string& dir, const std::string& rest) {
  if (rest.empty()) return dir;
  if (dir == "/") return rest;
  return dir + rest;
}

std::string container_label(const ProcessRef& p) {
  if (!p.container) return "";
  return p.container->name.empty() ? p.container->ref.id.substr(0, 12) : p.container->name;
}

}  // namespace

std::optional<std::string> path_in_filesystem(const std::vector<MountInfo>& host_mounts, unsigned dev_major,
                                              unsigned dev_minor, const std::string& host_realpath) {
  const MountInfo* best = nullptr;
  // Later mounts stack on earlier ones at the same point: the last wins.
  for (const auto& m : host_mounts) {
    if (m.dev_major != dev_major || m.dev_minor != dev_minor) continue;
    if (!under(host_realpath, m.mount_point)) continue;
    if (!best || m.mount_point.size() >= best->mount_point.size()) best = &m;
  }
  if (!best) return std::nullopt;
  return join_path(best->root, rest_below(host_realpath, best->mount_point));
}

std::vector<Candidate> candidates_in(const std::vector<MountInfo>& ns_mounts, unsigned dev_major, unsigned dev_minor,
                                     const std::string& fs_path) {
  std::vector<Candidate> out;
  for (const auto& m : ns_mounts) {
    if (m.dev_major != dev_major || m.dev_minor != dev_minor) continue;
    if (!under(fs_path, m.root)) continue;
    out.push_back({&m, join_path(m.mount_point, rest_below(fs_path, m.root)), fs_path == m.root});
  }
  return out;
}

bool same_inode_in_root(const std::string& proc_root, pid_t pid, const std::string& path_inside, dev_t dev,
                        ino_t ino) {
  std::string root = proc_root + "/" + std::to_string(pid) + "/root";
  int rootfd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return false;
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path_inside.empty() || path_inside == "/" ? "." : path_inside;
  long fd = ::syscall(SYS_openat2, rootfd, rel.c_str(), &how, sizeof how);
  ::close(rootfd);
  if (fd < 0) return false;
  struct stat st {};
  bool same = ::fstat(static_cast<int>(fd), &st) == 0 && st.st_dev == dev && st.st_ino == ino;
  ::close(static_cast<int>(fd));
  return same;
}

std::vector<MountReach> find_mount_reach(const std::vector<RuntimeSocket>& sockets, const std::string& proc_root,
                                         const std::string& host_mountinfo, uint64_t host_mntns,
                                         ProcessContext& context) {
  std::vector<MountReach> out;
  auto host_mounts = read_mountinfo(host_mountinfo);
  struct Target {
    const RuntimeSocket* sock;
    std::string fs_path;
  };
  std::vector<Target> targets;
  for (const auto& s : sockets) {
    auto fs = path_in_filesystem(host_mounts, major(s.dev), minor(s.dev), s.realpath);
    if (fs) targets.push_back({&s, *fs});
  }
  if (targets.empty()) return out;

  // One representative per mount namespace; every pid counted.
  std::map<uint64_t, std::vector<pid_t>> by_ns;
  for (pid_t pid : list_pids(proc_root)) {
    uint64_t ns = ns_inode(proc_root, pid, "mnt");
    if (ns == 0 || ns == host_mntns) continue;
    by_ns[ns].push_back(pid);
  }

  for (auto& [ns, pids] : by_ns) {
    std::vector<MountInfo> mounts;
    pid_t rep = 0;
    for (pid_t pid : pids) {
      mounts = read_mountinfo(proc_root + "/" + std::to_string(pid) + "/mountinfo");
      if (!mounts.empty()) {
        rep = pid;
        break;
      }
    }
    if (rep == 0) continue;
    std::optional<ProcessRef> who;
    for (const auto& t : targets) {
      for (const auto& c : candidates_in(mounts, major(t.sock->dev), minor(t.sock->dev), t.fs_path)) {
        // A mount the namespace copied from the host unchanged (a systemd
        // service's private namespace, a plain `unshare -m`) reaches the
        // socket exactly as host processes do: not a finding of its own,
        // unless the namespace belongs to a container.
        bool copied_from_host = false;
        for (const auto& h : host_mounts)
          if (h.dev_major == c.mount->dev_major && h.dev_minor == c.mount->dev_minor && h.root == c.mount->root &&
              h.mount_point == c.mount->mount_point)
            copied_from_host = true;
        if (!who) who = context.describe(rep);
        if (copied_from_host && !who->container) continue;
        if (!same_inode_in_root(proc_root, rep, c.path_inside, t.sock->dev, t.sock->ino)) continue;
        MountReach r;
        r.socket_path = t.sock->path;
        r.socket_ino = t.sock->ino;
        r.mntns = ns;
        r.pids = pids;
        r.process = *who;
        r.path_inside = c.path_inside;
        r.mount_point = c.mount->mount_point;
        r.mount_source = c.mount->root;
        r.socket_itself = c.socket_itself;
        out.push_back(std::move(r));
        break;  // one path per socket and namespace is enough to act on
      }
    }
  }
  return out;
}

std::vector<Finding> mount_reach_findings(const std::vector<MountReach>& reach) {
  std::vector<Finding> out;
  for (const auto& r : reach) {
    Finding f;
    f.socket_path = r.socket_path;
    f.remediation = remedy::kSocketMount;
    std::string how = r.socket_itself ? "the socket is bind-mounted" : "a directory above it (" + r.mount_source +
                                                                           ") is mounted at " + r.mount_point;
    if (r.process.container) {
      const auto& c = *r.process.container;
      f.severity = Severity::Critical;
      f.check = "socket-mounted";
      f.container_id = c.ref.id;
      f.container_name = container_label(r.process);
      f.container_image = c.image;
      f.container_runtime = c.ref.runtime;
      f.subject = "container " + f.container_name;
      f.title = "container " + f.container_name + (c.image.empty() ? "" : " (" + c.image + ")") + " can reach " +
                r.socket_path + " at " + r.path_inside + ": it controls the runtime, i.e. root on the host";
      f.evidence.push_back("runtime " + c.ref.runtime + ", id " + c.ref.id);
    } else {
      f.severity = Severity::High;
      f.check = "socket-mounted-namespace";
      f.subject = "mount namespace " + std::to_string(r.mntns);
      f.title = "a process in another mount namespace reaches " + r.socket_path + " at " + r.path_inside;
    }
    f.evidence.push_back(how + "; same inode " + std::to_string(r.socket_ino) + " inside");
    f.evidence.push_back(describe_process(r.process) + ", mnt ns " + std::to_string(r.mntns) + ", " +
                         std::to_string(r.pids.size()) + " process(es) in it");
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace sockwarden::audit
