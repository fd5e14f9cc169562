#include "audit/container_posture.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "enrich/cgroup_layout.h"
#include "enrich/runtime_state.h"
#include "enrich/small_file.h"

namespace fs = std::filesystem;

namespace sockwarden::audit {
namespace {

constexpr size_t kMaxSpec = 1u << 20;  // runtime state, some in users' directories: ~1 MiB at most

std::string normalize(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// Runtime state is read as written by whoever wrote it: a member that is
// missing, null or of another type reads as "" instead of throwing (one
// malformed spec must not hide every container's findings).
std::string str_member(const nlohmann::json& o, const char* k) {
  if (!o.is_object()) return "";
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

// Docker's default capability set (oci/caps/defaults.go); anything else in
// an OCI bounding set was added.
const std::set<std::string>& default_caps() {
  static const std::set<std::string> k{"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",   "CAP_FOWNER",
                                       "CAP_MKNOD",  "CAP_NET_RAW",      "CAP_SETGID",   "CAP_SETUID",
                                       "CAP_SETFCAP", "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE",
                                       "CAP_SYS_CHROOT", "CAP_KILL",     "CAP_AUDIT_WRITE"};
  return k;
}

// Capabilities that alone give a way out of the container.
bool dangerous_cap(std::string c) {
  std::transform(c.begin(), c.end(), c.begin(), ::toupper);
  if (c.rfind("CAP_", 0) == 0) c = c.substr(4);
  static const std::set<std::string> k{"ALL",        "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO",
                                       "DAC_READ_SEARCH", "BPF",   "PERFMON",    "NET_ADMIN",  "SYS_BOOT"};
  return k.count(c) > 0;
}

}  // namespace

bool is_sensitive_host_path(const std::string& raw) {
  std::string p = normalize(raw);
  static const std::vector<std::string> k{
      "/etc",  "/root",         "/home",          "/boot",         "/proc",          "/sys",
      "/dev",  "/usr",          "/lib",           "/lib64",        "/bin",           "/sbin",
      "/var",  "/var/lib",      "/var/run",       "/run",          "/var/lib/docker", "/var/lib/containerd",
      "/var/lib/kubelet",       "/etc/kubernetes", "/var/log",     "/run/containerd", "/var/lib/containers",
      "/lib/modules",           "/etc/docker",    "/sys/fs/cgroup"};
  return std::find(k.begin(), k.end(), p) != k.end();
}

std::vector<ContainerPosture> docker_postures(const std::vector<std::string>& data_roots) {
  std::vector<ContainerPosture> out;
  std::set<std::string> seen;
  for (const auto& root : data_roots) {
    std::error_code ec;
    for (fs::directory_iterator it(root + "/containers", ec), end; !ec && it != end; it.increment(ec)) {
      std::string id = it->path().filename().string();
      if (!is_container_id(id) || !seen.insert(id).second) continue;
      std::string dir = it->path().string();
      auto v2 = read_small_file(dir + "/config.v2.json", kMaxSpec);
      auto hc = read_small_file(dir + "/hostconfig.json", kMaxSpec);
      if (!v2 && !hc) continue;
      ContainerPosture c;
      c.runtime = "docker";
      c.id = id;
      c.state_dir = dir;
      if (v2) {
        if (auto m = parse_docker_config_v2(*v2)) {
          c.name = m->name;
          c.image = m->image;
        }
      }
      if (c.name.empty()) c.name = id.substr(0, 12);
      if (hc) {
        if (auto h = parse_docker_hostconfig(*hc)) c.config = std::move(*h);
        else c.error = "hostconfig.json is not a JSON object";
      }
      if (v2 && !parse_docker_state(*v2)) c.error = "config.v2.json is not a JSON object";
      if (v2) {
        if (auto s = parse_docker_state(*v2)) {
          c.running = s->running;
          // MountPoints is what dockerd mounts (volumes resolved to host
          // dirs); prefer it, keeping Binds/Mounts only when it is empty.
          if (!s->mount_points.empty()) c.config.mounts = s->mount_points;
        }
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::optional<DockerHostConfig> posture_from_oci_spec(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  DockerHostConfig h;
  if (auto it = doc.find("mounts"); it != doc.end() && it->is_array()) {
    for (const auto& m : *it) {
      if (!m.is_object()) continue;
      std::string type = str_member(m, "type");
      bool bind = type == "bind";
      std::vector<std::string> opts;
      if (auto o = m.find("options"); o != m.end() && o->is_array())
        for (const auto& x : *o)
          if (x.is_string()) {
            opts.push_back(x.get<std::string>());
            if (opts.back() == "bind" || opts.back() == "rbind") bind = true;
          }
      if (!bind) continue;
      HostMount hm;
      hm.type = "bind";
      hm.source = str_member(m, "source");
      hm.destination = str_member(m, "destination");
      hm.read_write = std::find(opts.begin(), opts.end(), "ro") == opts.end();
      h.mounts.push_back(std::move(hm));
    }
  }
  const nlohmann::json lx = doc.contains("linux") && doc["linux"].is_object() ? doc["linux"] : nlohmann::json::object();
  std::set<std::string> ns;
  if (auto it = lx.find("namespaces"); it != lx.end() && it->is_array())
    for (const auto& n : *it)
      if (n.is_object() && !n.contains("path")) ns.insert(str_member(n, "type"));
  // A namespace joined by path (a pod's shared netns) is not the host's.
  if (auto it = lx.find("namespaces"); it != lx.end() && it->is_array())
    for (const auto& n : *it)
      if (n.is_object() && n.contains("path")) ns.insert(str_member(n, "type"));
  if (!ns.count("pid")) h.pid_mode = "host";
  if (!ns.count("network")) h.network_mode = "host";
  if (!ns.count("ipc")) h.ipc_mode = "host";
  if (auto it = lx.find("devices"); it != lx.end() && it->is_array())
    for (const auto& d : *it)
      if (d.is_object()) h.devices.push_back(str_member(d, "path") + ":" + str_member(d, "path"));
  bool seccomp = lx.contains("seccomp");
  bool sys_admin = false;
  if (doc.contains("process") && doc["process"].is_object()) {
    const auto& p = doc["process"];
    if (p.contains("capabilities") && p["capabilities"].is_object()) {
      const auto& caps = p["capabilities"];
      if (auto b = caps.find("bounding"); b != caps.end() && b->is_array())
        for (const auto& c : *b)
          if (c.is_string()) {
            std::string name = c.get<std::string>();
            if (name == "CAP_SYS_ADMIN") sys_admin = true;
            if (!default_caps().count(name)) h.cap_add.push_back(name);
          }
    }
  }
  if (!seccomp) h.security_opt.push_back("seccomp=unconfined");
  // What `--privileged` produces in a spec: every capability, no seccomp.
  h.privileged = sys_admin && !seccomp && h.cap_add.size() > 10;
  if (h.privileged) h.cap_add.clear();
  return h;
}

std::vector<ContainerPosture> containerd_postures(const std::string& task_state_dir) {
  std::vector<ContainerPosture> out;
  std::error_code ec;
  for (fs::directory_iterator ns(task_state_dir, ec), end; !ec && ns != end; ns.increment(ec)) {
    std::error_code e2;
    if (ns->symlink_status(e2).type() != fs::file_type::directory) continue;
    // Docker's own containers (namespace "moby") are audited from dockerd's state.
    if (ns->path().filename() == "moby") continue;
    for (fs::directory_iterator t(ns->path(), e2), tend; !e2 && t != tend; t.increment(e2)) {
      std::string id = t->path().filename().string();
      auto text = read_small_file(t->path().string() + "/config.json", kMaxSpec);
      if (!text) continue;
      auto h = posture_from_oci_spec(*text);
      ContainerPosture c;
      c.runtime = "containerd";
      c.id = id;
      c.running = true;  // a task bundle exists only while the task does
      c.state_dir = t->path().string();
      if (!h) {
        // Not skipped: a container whose spec cannot be read is reported as
        // unevaluated, never as having no findings.
        c.name = id.size() > 12 && is_container_id(id) ? id.substr(0, 12) : id;
        c.error = "config.json is not a JSON object";
        out.push_back(std::move(c));
        continue;
      }
      if (auto m = parse_oci_annotations(*text)) {
        c.name = m->name;
        c.image = m->image;
        if (m->sandbox) continue;  // pause containers: the pod's other containers carry the settings
      }
      if (c.name.empty()) c.name = id.size() > 12 && is_container_id(id) ? id.substr(0, 12) : id;
      c.config = std::move(*h);
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<ContainerPosture> storage_postures(const std::string& run_root) {
  std::vector<ContainerPosture> out;
  std::error_code ec;
  for (fs::directory_iterator it(run_root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string id = it->path().filename().string();
    if (!is_container_id(id)) continue;
    auto text = read_small_file(it->path().string() + "/userdata/config.json", kMaxSpec);
    if (!text) continue;  // the run root's spec exists while the container runs
    auto h = posture_from_oci_spec(*text);
    ContainerPosture c;
    c.id = id;
    c.running = true;
    c.state_dir = it->path().string();
    c.runtime = "cri-o";
    if (!h) {  // unevaluated, not clean (as in containerd_postures)
      c.name = id.substr(0, 12);
      c.error = "userdata/config.json is not a JSON object";
      out.push_back(std::move(c));
      continue;
    }
    if (auto m = parse_oci_annotations(*text)) {
      if (m->sandbox) continue;
      if (m->manager == "libpod") c.runtime = "podman";
      c.name = m->name;
      c.image = m->image;
    }
    if (c.name.empty()) c.name = id.substr(0, 12);
    c.config = std::move(*h);
    out.push_back(std::move(c));
  }
  return out;
}

Finding audit_error_finding(const ContainerPosture& c) {
  Finding f;
  f.severity = Severity::Medium;
  f.check = kAuditErrorCheck;
  f.subject = "container " + c.name;
  f.container_id = c.id;
  f.container_name = c.name;
  f.container_image = c.image;
  f.container_runtime = c.runtime;
  f.title = f.subject + ": its runtime state could not be evaluated; its findings are unknown";
  f.evidence = {c.runtime + " " + c.id + ": " + c.error, "state: " + c.state_dir};
  f.remediation = "Inspect the container's state files; a runtime never writes them malformed.";
  return f;
}

std::vector<Finding> posture_findings(const ContainerPosture& c, const std::vector<RuntimeSocket>& sockets) {
  if (!c.error.empty()) return {audit_error_finding(c)};
  std::vector<Finding> out;
  const DockerHostConfig& h = c.config;
  std::string label = "container " + c.name;
  std::string ident = c.runtime + " " + c.id + (c.image.empty() ? "" : ", image " + c.image) +
                      (c.running ? ", running" : ", not running (starts with these settings)");
  auto add = [&](Severity s, const char* check, std::string title, std::vector<std::string> evidence,
                 const char* fix) {
    Finding f;
    f.severity = s;
    f.check = check;
    f.subject = label;
    f.container_id = c.id;
    f.container_name = c.name;
    f.container_image = c.image;
    f.container_runtime = c.runtime;
    f.title = label + ": " + std::move(title);
    f.evidence.push_back(ident);
    for (auto& e : evidence) f.evidence.push_back(std::move(e));
    f.evidence.push_back("state: " + c.state_dir);
    f.remediation = fix;
    out.push_back(std::move(f));
  };

  const HostMount* host_root = nullptr;
  for (const auto& m : h.mounts)
    if (m.type != "volume" && m.type != "tmpfs" && normalize(m.source) == "/") host_root = &m;

  if (h.privileged && host_root) {
    add(Severity::Critical, "privileged-host-root",
        "privileged with the host's / mounted at " + host_root->destination + ": full control of the host",
        {"Privileged: true", "host / -> " + host_root->destination + (host_root->read_write ? " (rw)" : " (ro)")},
        remedy::kPrivileged);
  } else if (h.privileged) {
    add(Severity::High, "privileged", "privileged: every capability and device, no seccomp/AppArmor",
        {"Privileged: true"}, remedy::kPrivileged);
  }
  if (host_root && !h.privileged) {
    add(host_root->read_write ? Severity::Critical : Severity::High, "host-root-mount",
        std::string("the host's / is mounted at ") + host_root->destination +
            (host_root->read_write ? " read-write: it can rewrite the host" : " read-only: it reads every host secret"),
        {"bind / -> " + host_root->destination + (host_root->read_write ? " (rw)" : " (ro)")}, remedy::kHostRoot);
  }

  for (const auto& m : h.mounts) {
    if (m.source.empty() || m.type == "volume" || m.type == "tmpfs" || &m == host_root) continue;
    // A runtime socket, or a directory above one, matched by inode.
    bool socket_hit = false;
    char real[PATH_MAX];
    std::string src = ::realpath(m.source.c_str(), real) ? std::string(real) : normalize(m.source);
    struct stat st {};
    bool have = ::stat(src.c_str(), &st) == 0;
    for (const auto& s : sockets) {
      std::string inside;
      if (have && st.st_dev == s.dev && st.st_ino == s.ino) {
        inside = m.destination;
      } else if (have && S_ISDIR(st.st_mode) && s.realpath.size() > src.size() &&
                 s.realpath.compare(0, src.size(), src) == 0 && (src == "/" || s.realpath[src.size()] == '/')) {
        struct stat below {};
        std::string rest = s.realpath.substr(src == "/" ? 0 : src.size());
        if (::stat((src + rest).c_str(), &below) == 0 && below.st_dev == s.dev && below.st_ino == s.ino)
          inside = normalize(m.destination) + rest;
      }
      if (inside.empty()) continue;
      socket_hit = true;
      Finding f;
      f.severity = Severity::Critical;
      f.check = "socket-mounted";
      f.subject = label;
      f.container_id = c.id;
      f.container_name = c.name;
      f.container_image = c.image;
      f.container_runtime = c.runtime;
    f.container_image = c.image;
    f.container_runtime = c.runtime;
      f.socket_path = s.path;
      f.title = label + (c.image.empty() ? "" : " (" + c.image + ")") + " has " + s.path + " mounted at " + inside +
                ": it controls the runtime, i.e. root on the host";
      f.evidence = {ident, "bind " + m.source + " -> " + m.destination + ", same inode " + std::to_string(s.ino),
                    "state: " + c.state_dir};
      f.remediation = remedy::kSocketMount;
      out.push_back(std::move(f));
    }
    if (socket_hit) continue;
    if (is_sensitive_host_path(m.source)) {
      add(m.read_write ? Severity::High : Severity::Medium, "sensitive-mount",
          "host " + normalize(m.source) + " mounted at " + m.destination + (m.read_write ? " (read-write)" : " (read-only)"),
          {"bind " + m.source + " -> " + m.destination}, remedy::kSensitivePath);
    }
  }

  if (h.pid_mode == "host")
    add(Severity::High, "host-pid", "shares the host's pid namespace: sees and signals every host process",
        {"PidMode: host"}, remedy::kHostNamespace);
  if (h.network_mode == "host")
    add(Severity::Medium, "host-network",
        "shares the host's network namespace: reaches loopback-only services (a daemon on 127.0.0.1:2375)",
        {"NetworkMode: host"}, remedy::kHostNamespace);
  if (h.ipc_mode == "host")
    add(Severity::Medium, "host-ipc", "shares the host's IPC namespace", {"IpcMode: host"}, remedy::kHostNamespace);
  if (!h.privileged) {
    std::vector<std::string> bad, other;
    for (const auto& cap : h.cap_add) (dangerous_cap(cap) ? bad : other).push_back(cap);
    if (!bad.empty())
      add(Severity::High, "cap-add", "added capabilities that open a way out: " + join(bad), {"CapAdd: " + join(h.cap_add)},
          remedy::kCapAdd);
    else if (!other.empty())
      add(Severity::Low, "cap-add", "added capabilities: " + join(other), {"CapAdd: " + join(h.cap_add)}, remedy::kCapAdd);
    if (!h.devices.empty())
      add(Severity::Medium, "devices", "host devices: " + join(h.devices), {"Devices: " + join(h.devices)},
          remedy::kDevices);
    std::vector<std::string> unconfined;
    for (const auto& o : h.security_opt)
      if (o.find("unconfined") != std::string::npos || o == "label=disable" || o == "label:disable")
        unconfined.push_back(o);
    if (!unconfined.empty())
      add(Severity::Medium, "unconfined", "security profile disabled: " + join(unconfined),
          {"SecurityOpt: " + join(h.security_opt)}, remedy::kUnconfined);
  }
  return out;
}

}  // namespace sockwarden::audit
