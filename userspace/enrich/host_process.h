// Telling a host daemon from anything that merely names itself like one.
// comm, argv[0] and exe paths are chosen by whoever starts a process (a
// container copies its client to /tmp/runc; any user can name a process
// dockerd). What they cannot choose: the mount namespace the process runs
// in, its container cgroup, and who owns the file it executes.
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sockwarden {

// "mnt:[4026531840]" read from a /proc/PID/ns/mnt link -> 4026531840; 0 when
// unreadable.
uint64_t mount_ns_of(const std::string& ns_link);

// The host's mount namespace: OVERRIDE if non-zero, else PROC_ROOT/1's, else
// the agent's own (PROC_ROOT/self); 0 when none can be read.
uint64_t host_mount_ns(const std::string& proc_root, uint64_t override_ns = 0);

// PROC_DIR (/proc/PID) runs in HOST_MNTNS and in no container's cgroup.
// Unreadable facts count as "no" (fail closed).
bool is_host_process(const std::string& proc_dir, uint64_t host_mntns);

// The same test on facts already captured (an event's mount namespace and
// cgroup v2 path), for a caller that may have exited by now: CALLER_MNTNS
// equals HOST_MNTNS (neither 0) and CGROUP_PATH names no container.
bool is_host_caller(uint64_t caller_mntns, uint64_t host_mntns, const std::string& cgroup_path);

// PROC_DIR (/proc/PID) is the host's daemon EXE_NAME ("dockerd"): it runs as
// OWNER (normally 0), in HOST_MNTNS and no container cgroup
// (is_host_process), and executes a regular file named EXE_NAME that OWNER
// owns and nobody else may write. Its comm, argv and the path of its exe
// alone never count: any user can name a process dockerd, and a container or
// a private mount namespace can put any binary at /usr/bin/dockerd.
bool is_trusted_daemon(const std::string& proc_dir, const std::string& exe_name, uint64_t host_mntns,
                       uint32_t owner = 0);

// One trusted daemon found under proc_root.
struct TrustedDaemon {
  std::string exe_name;  // which of the names asked for ("dockerd", "containerd")
  uint32_t pid = 0;
  std::string cmdline;   // /proc/PID/cmdline, NUL-separated
};

// Every process under proc_root that is_trusted_daemon takes for one of EXE_NAMES, in one
// pass over proc_root: a process whose exe link does not end in one of the names costs one
// readlink, not the full check (the agent looks for dockerd and containerd together).
std::vector<TrustedDaemon> trusted_daemons(const std::string& proc_root, const std::vector<std::string>& exe_names,
                                           uint32_t owner = 0, uint64_t host_mntns = 0);

// A file OWNER owns and nobody else may write: a user cannot create one
// owned by root, so its name is root's choice.
bool owned_unwritable_by_others(const struct stat& st, uint32_t owner);

// A cgroup v2 path inside a systemd user manager's delegated subtree
// (".../user@1000.service/..."), where that user creates and names cgroups
// at will, "docker-<id>.scope" included.
bool is_delegated_cgroup(const std::string& cgroup_path);

}  // namespace sockwarden
