// Who is expected to talk to a container runtime socket, and the flags an
// event gets from who its caller is.
//
// Access to a runtime socket is root-equivalent, so every caller is reported;
// the flags say which callers deserve a look:
//  - container-originated: the caller sits in a container cgroup (a container
//    that can drive the runtime can usually escape it);
//  - namespaced: the caller's pid or mount namespace is not the host's, yet no
//    runtime claims it (an unshare'd sandbox, nsenter, an unknown runtime);
//  - unexpected-caller: no expected-caller rule matches.
//
// Expected callers come from built-in defaults (the runtimes' own daemons and
// shims), `--expect SPEC` and a YAML file. exe: rules match a path, and any
// container can copy its client to /tmp/runc, so they apply only to callers
// in the host's mount namespace and outside container cgroups: an
// in-container or sandboxed exe path never makes a caller expected. Still,
// a host user can write a binary called ~/runc; the rules quiet routine
// traffic, they are not an authorization boundary.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/flag_name.h"

namespace YAML {
class Node;
}

namespace sockwarden {

// What enrich knows about the process at the client end of the socket.
struct CallerFacts {
  std::string executable;                         // /proc/PID/exe; empty if unknown
  std::vector<std::string> ancestor_executables;  // parent first; not used for matching
  uint32_t uid = 0;
  bool in_container = false;
  std::string container_name;
  std::string container_image;
  // ContainerInfo::trusted: name and image from root-owned state, cgroup not
  // delegated. container:/image: rules match only trusted names.
  bool container_trusted = false;
  uint32_t pidns = 0, mntns = 0;  // namespace inode numbers; 0 = unknown
  std::string cgroup_path;        // cgroup v2 path ("/system.slice/x.service"); "" if unknown
};

struct HostNamespaces;

struct ExpectedCaller {
  enum class Kind { Executable, Uid, ContainerName, Image, Cgroup } kind = Kind::Executable;
  std::string pattern;  // fnmatch glob without FNM_PATHNAME (* also matches '/'); unused for Uid
  uint32_t uid = 0;     // Uid only
  std::string origin;   // "default", "--expect", "FILE:LINE"
};

// "exe:GLOB" or a bare absolute path, "uid:N", "container:GLOB", "image:GLOB",
// "cgroup:GLOB" (the caller's cgroup v2 path or any path below it, e.g.
// "/system.slice/monitoring.service").
// Throws UserError(kExitUsage) naming the spec and the accepted forms.
ExpectedCaller parse_expected_spec(const std::string& spec, const std::string& origin);

// A Cgroup rule's match: the glob on the path itself or on anything below it.
bool cgroup_rule_matches(const std::string& pattern, const std::string& cgroup_path);

// The rule written back as a spec ("exe:/usr/bin/dockerd", "uid:0"): what the
// JSON field sockwarden.expected_by shows.
std::string to_spec(const ExpectedCaller& rule);

class CallerPolicy {
 public:
  CallerPolicy() = default;  // no rules: every caller is unexpected
  static CallerPolicy with_defaults();

  void add(ExpectedCaller rule);

  // Appends the rules of a YAML file:
  //   expected_callers:
  //     - exe: /usr/local/bin/my-dashboard
  //     - uid: 1001
  //     - container: "monitoring-*"
  //     - image: "company/runner:*"
  // Throws UserError(kExitUsage) as "FILE:LINE: what was wrong" (unreadable
  // file, YAML syntax, not a list, unknown key, wrong type). Nothing is added
  // when the file has an error.
  void load_file(const std::string& path);
  // The same list, already parsed as part of another YAML file (the agent's
  // config): errors name FILE:LINE of that file. Nothing is added on error.
  void load_yaml_list(const std::string& path, const YAML::Node& list);

  bool expected(const CallerFacts& f, const HostNamespaces& host) const { return match(f, host) != nullptr; }
  // The first rule (in the order added) that matches, or nullptr. The pointer
  // is valid until the next add()/load_file().
  //  - Executable: glob on f.executable, only when the caller is a host
  //    process (f.mntns == host.mntns, both known, not in a container, no
  //    container cgroup; see is_host_caller). Ancestors are not consulted: a
  //    user shell started by an expected daemon is still worth seeing;
  //  - Uid: f.uid, inside or outside a container;
  //  - ContainerName / Image: only for f.in_container callers;
  //  - Cgroup: glob on f.cgroup_path, or on the same glob followed by "/*".
  const ExpectedCaller* match(const CallerFacts& f, const HostNamespaces& host) const;

  const std::vector<ExpectedCaller>& rules() const { return rules_; }
  // Unique to this set of rules (a new value on every add(), and for every
  // policy built): what was derived from a policy is current while it stays.
  uint64_t version() const { return version_; }

 private:
  static uint64_t next_version();
  std::vector<ExpectedCaller> rules_;
  uint64_t version_ = next_version();
};

// The host's namespaces: those of PID 1 in proc_root, or of host_pid when the
// agent was told which process sees the host (--host-root /proc/PID/root). A
// field is 0 when it could not be read (reading /proc/PID/ns needs ptrace access
// to PID); the `namespaced` flag is then never raised for that namespace.
struct HostNamespaces {
  uint32_t pidns = 0, mntns = 0;
  static HostNamespaces read(const std::string& proc_root = "/proc", int host_pid = 1);
};

// Any of "container-originated", "namespaced", "unexpected-caller", in that order.
std::vector<FlagName> caller_flags(const CallerFacts& f, const HostNamespaces& host, const CallerPolicy& policy);

}  // namespace sockwarden
