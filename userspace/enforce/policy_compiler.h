// Expected-caller rules -> the identities the kernel can check at connect
// time (bpf/enforce.bpf.h). Names are not visible, or not trustworthy, in the
// kernel, so each rule becomes what is:
//   uid:N            the effective uid
//   exe:GLOB         (dev, ino) of every existing file the glob matches: in
//                    the usual bin directories, among the executables of
//                    running processes, and (absolute globs) on disk
//   container/image  the cgroup ids of the running containers that match
//   cgroup:GLOB      the ids of the matching cgroups
// Recompiled periodically (new containers, new binaries) and on reload.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "classify/caller_policy.h"

namespace sockwarden {

class ContainerResolver;

struct CompiledPolicy {
  bool enforce = false;    // false: monitor (the kernel never denies)
  bool deny_host = false;  // callers outside containers must be allowed too
  std::set<uint32_t> uids;
  std::set<std::pair<uint32_t, uint64_t>> exes;  // (kernel s_dev encoding, inode)
  std::set<uint64_t> cgroups;                    // cgroup v2 ids (directory inodes)
  bool operator==(const CompiledPolicy&) const = default;
};

struct PolicyInputs {
  std::string proc_root = "/proc";
  std::string cgroup2_root;  // "" : container and cgroup rules match nothing
  std::vector<std::string> bin_dirs = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
                                       "/sbin",           "/bin",           "/usr/libexec/docker",
                                       "/usr/libexec/podman"};
  ContainerResolver* containers = nullptr;  // names and images of container cgroups
  // Running processes lend their executables only when they run in this
  // mount namespace (the host's) and outside every container cgroup: a
  // container names its own files, so its "/tmp/runc" is whatever it copied
  // there. 0: read PROC_ROOT/1/ns/mnt (else the agent's own).
  uint64_t host_mntns = 0;
  // Owner every allow-listed executable must have (and no group/other write
  // bit): a file a user owns, e.g. ~/bin/runc, is the user's choice of
  // code, whatever its name. Tests over temp trees set their own uid.
  uint32_t trusted_uid = 0;
};

CompiledPolicy compile_policy(const CallerPolicy& policy, bool enforce, bool deny_host, const PolicyInputs& in);

}  // namespace sockwarden
