#include "classify/caller_policy.h"

#include <atomic>

#include <fcntl.h>
#include <fnmatch.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <optional>
#include <utility>

#include "capture/errors.h"
#include "enrich/host_process.h"
#include "model/yaml_words.h"

namespace sockwarden {
namespace {

constexpr const char* kSpecForms = "exe:GLOB (or an absolute path), uid:N, container:GLOB, image:GLOB, cgroup:GLOB";
constexpr const char* kSpecHint =
    "e.g. --expect /usr/local/bin/my-dashboard --expect uid:1001 --expect 'container:ci-*' "
    "--expect 'image:company/runner:*'; globs are fnmatch patterns where * also matches '/'";
constexpr const char* kFileHint =
    "the file looks like:\n"
    "  expected_callers:\n"
    "    - exe: /usr/local/bin/my-dashboard\n"
    "    - uid: 1001\n"
    "    - container: \"monitoring-*\"\n"
    "    - image: \"company/runner:*\"";

// The runtimes' own daemons and shims, which talk to each other's sockets all
// day (dockerd -> containerd, shim -> containerd, kubelet -> CRI, ...).
// Reporting them as unexpected would bury the callers that matter.
//
// Deliberately absent: the clients a person or a workload drives (docker,
// podman, nerdctl, ctr, crictl, kubectl, curl, SDK programs): seeing those is
// the point. podman is out even though `podman system service` is a daemon:
// the executable is the same as the CLI's, and the arguments are not part of
// what a rule sees.
//
// Most patterns allow any directory because distributions, static tarballs,
// snaps and k3s/rke2 bundles install them in different places. dockerd keeps
// exact paths: the common packages agree on them, and dockerd is the most
// useful name for anyone who wants to look expected. Trailing globs
// (containerd-shim*) also match deeper paths since * crosses '/'; name rules
// are a noise filter, not a boundary (see the header).
const char* const kDefaultExecutables[] = {
    "/usr/bin/dockerd",     "/usr/sbin/dockerd",  "/usr/local/bin/dockerd",
    "*/dockerd-rootless*",  // rootless dockerd's wrapper (dockerd-rootless.sh)
    "*/rootlesskit",        // rootless docker/containerd/buildkit network+ns helper
    "*/docker-proxy",       // dockerd's userland port proxy
    "*/containerd",
    "*/containerd-shim*",  // containerd-shim, -runc-v1, -runc-v2, -runsc-v1, ...
    "*/runc",               "*/crun",
    "*/kubelet",            // CRI client of containerd / CRI-O
    "*/crio",               "*/conmon",           // CRI-O and its per-container monitor
    "*/buildkitd",
};

bool glob_match(const std::string& pattern, const std::string& text) {
  // No FNM_PATHNAME: "*/kubelet" must match "/usr/local/bin/kubelet".
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::optional<uint32_t> parse_uid(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Executables are reported as absolute paths, so a pattern that cannot match
// one ("dockerd") is a mistake worth stopping for rather than a silent no-op.
bool can_match_a_path(const std::string& pattern) {
  return !pattern.empty() && (pattern[0] == '/' || pattern[0] == '*' || pattern[0] == '?' || pattern[0] == '[');
}

// Builds a rule from a kind name and its value; returns an error text instead
// of throwing so both the spec and the file parser can add their context.
std::optional<std::string> make_rule(const std::string& kind, const std::string& value, ExpectedCaller& out) {
  if (kind == "exe") {
    if (!can_match_a_path(value))
      return "an executable pattern must be an absolute path or start with a glob (e.g. */" +
             (value.empty() ? std::string("dockerd") : value) + ")";
    out.kind = ExpectedCaller::Kind::Executable;
    out.pattern = value;
  } else if (kind == "uid") {
    auto uid = parse_uid(value);
    if (!uid) return "a uid must be a number from 0 to 4294967295";
    out.kind = ExpectedCaller::Kind::Uid;
    out.uid = *uid;
  } else if (kind == "container") {
    if (value.empty()) return "a container name pattern must not be empty";
    out.kind = ExpectedCaller::Kind::ContainerName;
    out.pattern = value;
  } else if (kind == "image") {
    if (value.empty()) return "an image pattern must not be empty";
    out.kind = ExpectedCaller::Kind::Image;
    out.pattern = value;
  } else if (kind == "cgroup") {
    if (value.empty() || (value[0] != '/' && value[0] != '*'))
      return "a cgroup pattern must be a cgroup v2 path (e.g. /system.slice/monitoring.service) or start with *";
    out.kind = ExpectedCaller::Kind::Cgroup;
    out.pattern = value;
  } else {
    return "unknown kind '" + kind + "'";
  }
  return std::nullopt;
}

[[noreturn]] void file_error(const std::string& path, const YAML::Mark& mark, const std::string& what) {
  throw UserError(kExitUsage, path + ":" + std::to_string(yaml_line(mark)) + ": " + what, kFileHint);
}

std::string read_whole_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    throw UserError(kExitUsage, errno_text("cannot open expected-callers file " + path, err),
                    "check the path given to the expected-callers option");
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw UserError(kExitUsage, errno_text("cannot read expected-callers file " + path, err),
                      "the path must name a regular, readable file");
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

YAML::Node parse_yaml(const std::string& path, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    file_error(path, e.mark, "YAML syntax error: " + e.msg);
  }
}

// "pid:[4026531836]" -> 4026531836
std::optional<uint32_t> parse_ns_link(const std::string& link) {
  auto open = link.find(":[");
  if (open == std::string::npos || link.empty() || link.back() != ']') return std::nullopt;
  return parse_uid(link.substr(open + 2, link.size() - open - 3));
}

uint32_t read_ns_inode(const std::string& path) {
  char buf[256];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n > 0) {
    if (auto ino = parse_ns_link(std::string(buf, static_cast<size_t>(n)))) return *ino;
  }
  // Not a "type:[N]" link: a nsfs bind mount or a filesystem that presents the
  // namespace as a file. Its inode number is the namespace id.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return static_cast<uint32_t>(st.st_ino);
  return 0;
}

}  // namespace

ExpectedCaller parse_expected_spec(const std::string& spec, const std::string& origin) {
  ExpectedCaller rule;
  rule.origin = origin;
  std::optional<std::string> error;
  if (!spec.empty() && spec[0] == '/') {
    error = make_rule("exe", spec, rule);
  } else if (auto colon = spec.find(':'); colon != std::string::npos) {
    std::string kind = spec.substr(0, colon);
    if (kind == "exe" || kind == "uid" || kind == "container" || kind == "image" || kind == "cgroup")
      error = make_rule(kind, spec.substr(colon + 1), rule);
    else
      error = "unknown kind '" + kind + "'";
  } else {
    error = "no kind given";
  }
  if (error)
    throw UserError(kExitUsage,
                    "invalid expected caller '" + spec + "' (" + origin + "): " + *error + "; accepted forms: " +
                        kSpecForms,
                    kSpecHint);
  return rule;
}

bool cgroup_rule_matches(const std::string& pattern, const std::string& cgroup_path) {
  return !cgroup_path.empty() && (glob_match(pattern, cgroup_path) || glob_match(pattern + "/*", cgroup_path));
}

std::string to_spec(const ExpectedCaller& rule) {
  switch (rule.kind) {
    case ExpectedCaller::Kind::Executable:
      return "exe:" + rule.pattern;
    case ExpectedCaller::Kind::Uid:
      return "uid:" + std::to_string(rule.uid);
    case ExpectedCaller::Kind::ContainerName:
      return "container:" + rule.pattern;
    case ExpectedCaller::Kind::Image:
      return "image:" + rule.pattern;
    case ExpectedCaller::Kind::Cgroup:
      return "cgroup:" + rule.pattern;
  }
  return "";
}

CallerPolicy CallerPolicy::with_defaults() {
  CallerPolicy p;
  for (const char* exe : kDefaultExecutables) {
    ExpectedCaller rule;
    rule.kind = ExpectedCaller::Kind::Executable;
    rule.pattern = exe;
    rule.origin = "default";
    p.add(std::move(rule));
  }
  return p;
}

void CallerPolicy::add(ExpectedCaller rule) {
  rules_.push_back(std::move(rule));
  version_ = next_version();
}

uint64_t CallerPolicy::next_version() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

void CallerPolicy::load_file(const std::string& path) {
  std::string text = read_whole_file(path);
  YAML::Node root = parse_yaml(path, text);

  if (!root.IsMap())
    file_error(path, root.Mark(),
               std::string("expected a mapping with the key expected_callers, found ") + yaml_type_name(root));
  // Copy-constructed YAML::Nodes share their data, but assigning to an
  // existing one writes through it: keep the list's node in an optional.
  std::optional<YAML::Node> list;
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (key != "expected_callers")
      file_error(path, it->first.Mark(),
                 "unknown key '" + (key.empty() ? std::string(yaml_type_name(it->first)) : key) +
                     "', expected expected_callers");
    if (!it->second.IsSequence())
      file_error(path, it->second.IsNull() ? it->first.Mark() : it->second.Mark(),
                 std::string("expected_callers must be a list of entries like `- exe: /usr/bin/foo`, found ") +
                     yaml_type_name(it->second));
    list.emplace(it->second);
  }
  if (!list) file_error(path, root.Mark(), "missing the key expected_callers");
  load_yaml_list(path, *list);
}

void CallerPolicy::load_yaml_list(const std::string& path, const YAML::Node& list) {
  if (!list.IsSequence())
    file_error(path, list.Mark(),
               std::string("expected_callers must be a list of entries like `- exe: /usr/bin/foo`, found ") +
                   yaml_type_name(list));
  std::vector<ExpectedCaller> parsed;
  for (const auto& entry : list) {
    if (!entry.IsMap())
      file_error(path, entry.Mark(),
                 std::string("an expected_callers entry must be a mapping with one key (exe, uid, container, image or "
                             "cgroup), found ") +
                     yaml_type_name(entry));
    if (entry.size() != 1)
      file_error(path, entry.Mark(),
                 "an expected_callers entry has " + std::to_string(entry.size()) +
                     " keys; write one key (exe, uid, container, image or cgroup) per entry");
    // Copies, not references: the iterator's -> yields a temporary pair.
    const YAML::Node key_node = entry.begin()->first;
    const YAML::Node value = entry.begin()->second;
    std::string key = key_node.IsScalar() ? key_node.Scalar() : "";
    if (key != "exe" && key != "uid" && key != "container" && key != "image" && key != "cgroup")
      file_error(path, key_node.Mark(),
                 "unknown key '" + (key.empty() ? std::string(yaml_type_name(key_node)) : key) +
                     "', expected exe, uid, container, image or cgroup");
    if (!value.IsScalar())
      file_error(path, value.IsNull() ? key_node.Mark() : value.Mark(),
                 "'" + key + "' needs a " + (key == "uid" ? "number" : "string") + ", found " +
                     yaml_type_name(value));
    ExpectedCaller rule;
    rule.origin = path + ":" + std::to_string(yaml_line(key_node.Mark()));
    if (auto error = make_rule(key, value.Scalar(), rule)) file_error(path, value.Mark(), "'" + key + "': " + *error);
    parsed.push_back(std::move(rule));
  }
  for (auto& rule : parsed) add(std::move(rule));
}

const ExpectedCaller* CallerPolicy::match(const CallerFacts& f, const HostNamespaces& host) const {
  // A path is the caller's own choice inside a container or a private mount
  // namespace (a container's /tmp/runc matches the default */runc): exe
  // rules vouch only for host processes. Unknown namespaces fail closed.
  const bool host_caller = !f.in_container && is_host_caller(f.mntns, host.mntns, f.cgroup_path);
  for (const auto& rule : rules_) {
    switch (rule.kind) {
      case ExpectedCaller::Kind::Executable:
        if (host_caller && !f.executable.empty() && glob_match(rule.pattern, f.executable)) return &rule;
        break;
      case ExpectedCaller::Kind::Uid:
        if (f.uid == rule.uid) return &rule;
        break;
      case ExpectedCaller::Kind::ContainerName:
        if (f.in_container && f.container_trusted && glob_match(rule.pattern, f.container_name)) return &rule;
        break;
      case ExpectedCaller::Kind::Image:
        if (f.in_container && f.container_trusted && glob_match(rule.pattern, f.container_image)) return &rule;
        break;
      case ExpectedCaller::Kind::Cgroup:
        if (cgroup_rule_matches(rule.pattern, f.cgroup_path)) return &rule;
        break;
    }
  }
  return nullptr;
}

HostNamespaces HostNamespaces::read(const std::string& proc_root, int host_pid) {
  HostNamespaces h;
  const std::string ns = proc_root + "/" + std::to_string(host_pid) + "/ns/";
  h.pidns = read_ns_inode(ns + "pid");
  h.mntns = read_ns_inode(ns + "mnt");
  // PID 1's links need ptrace access, which a sandboxed root may lack. The
  // agent runs in the host's namespaces (a privileged host agent), so its
  // own are the next best reference. (Not in a container: there --host-root
  // /proc/PID/root names a host process, whose namespaces are read above.)
  if (h.pidns == 0) h.pidns = read_ns_inode(proc_root + "/self/ns/pid");
  if (h.mntns == 0) h.mntns = read_ns_inode(proc_root + "/self/ns/mnt");
  if (h.pidns == 0 || h.mntns == 0)
    spdlog::warn("cannot read the host's namespaces under {}: the `namespaced` flag is not raised", proc_root);
  return h;
}

std::vector<FlagName> caller_flags(const CallerFacts& f, const HostNamespaces& host, const CallerPolicy& policy) {
  std::vector<FlagName> flags;
  if (f.in_container) flags.push_back("container-originated");
  // A runtime-claimed container is already flagged above; a foreign namespace
  // nobody claims is the interesting case (a sandbox, nsenter, an unknown
  // runtime). Unknown inodes (0) on either side never count as different.
  auto differs = [](uint32_t caller, uint32_t hostns) { return caller != 0 && hostns != 0 && caller != hostns; };
  if (!f.in_container && (differs(f.pidns, host.pidns) || differs(f.mntns, host.mntns))) flags.push_back("namespaced");
  if (!policy.expected(f, host)) flags.push_back("unexpected-caller");
  return flags;
}

}  // namespace sockwarden
