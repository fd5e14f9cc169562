#include "enforce/policy_compiler.h"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "capture/watch_list.h"  // kernel_dev()
#include "enrich/cgroup_layout.h"
#include "enrich/container_resolver.h"
#include "enrich/host_process.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

// Same matching as CallerPolicy: no FNM_PATHNAME, '*' also matches '/'.
bool glob_match(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : std::string();
}

// Executable candidates: path -> file to stat (for /proc/PID/exe the link
// itself, which reaches the file even in another mount namespace).
std::vector<std::pair<std::string, std::string>> executable_candidates(const PolicyInputs& in,
                                                                        const CallerPolicy& policy) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (const auto& dir : in.bin_dirs) {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      out.emplace_back(it->path().string(), it->path().string());
  }
  const uint64_t host_mntns = host_mount_ns(in.proc_root, in.host_mntns);
  for (fs::directory_iterator it(in.proc_root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!is_host_process(it->path().string(), host_mntns)) continue;
    std::string link = it->path().string() + "/exe";
    std::string target = read_link(link);
    if (!target.empty()) out.emplace_back(target, link);
  }
  for (const auto& rule : policy.rules()) {
    if (rule.kind != ExpectedCaller::Kind::Executable || rule.pattern.empty() || rule.pattern[0] != '/') continue;
    glob_t g{};
    if (::glob(rule.pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i], g.gl_pathv[i]);
    ::globfree(&g);
  }
  return out;
}

void compile_executables(const CallerPolicy& policy, const PolicyInputs& in, CompiledPolicy& out) {
  bool any = false;
  for (const auto& r : policy.rules()) any |= r.kind == ExpectedCaller::Kind::Executable;
  if (!any) return;
  for (const auto& [path, file] : executable_candidates(in, policy)) {
    for (const auto& rule : policy.rules()) {
      if (rule.kind != ExpectedCaller::Kind::Executable || !glob_match(rule.pattern, path)) continue;
      struct stat st {};
      // Only files the user running the agent owns, writable by nobody else:
      // a name proves nothing, but a user cannot create a root-owned file.
      if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && owned_unwritable_by_others(st, in.trusted_uid))
        out.exes.insert({kernel_dev(st.st_dev), st.st_ino});
      break;
    }
  }
}

// Every cgroup below the cgroup2 root, with its id (the directory's inode).
void compile_cgroups(const CallerPolicy& policy, const PolicyInputs& in, CompiledPolicy& out) {
  bool any = false;
  for (const auto& r : policy.rules())
    any |= r.kind == ExpectedCaller::Kind::ContainerName || r.kind == ExpectedCaller::Kind::Image ||
           r.kind == ExpectedCaller::Kind::Cgroup;
  if (!any || in.cgroup2_root.empty()) return;
  std::error_code ec;
  fs::recursive_directory_iterator it(in.cgroup2_root, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    if (it.depth() > 16) {
      it.disable_recursion_pending();
      continue;
    }
    std::string rel = it->path().string().substr(in.cgroup2_root.size());
    std::optional<ContainerInfo> container;
    bool container_looked_up = false;
    for (const auto& rule : policy.rules()) {
      bool match = false;
      if (rule.kind == ExpectedCaller::Kind::Cgroup) {
        match = glob_match(rule.pattern, rel);
      } else if (rule.kind == ExpectedCaller::Kind::ContainerName || rule.kind == ExpectedCaller::Kind::Image) {
        if (!container_looked_up) {
          container_looked_up = true;
          if (in.containers && parse_container_cgroup(rel)) container = in.containers->resolve(rel);
        }
        // Only names from root-owned runtime state, on a cgroup directory
        // no user owns: a delegated cgroup named "docker-<real id>.scope"
        // would otherwise borrow that container's allow-listing.
        struct stat cg_st {};
        if (container && container->trusted && ::stat(it->path().c_str(), &cg_st) == 0 &&
            cg_st.st_uid == in.trusted_uid)
          match = glob_match(rule.pattern, rule.kind == ExpectedCaller::Kind::Image ? container->image : container->name);
      }
      if (!match) continue;
      struct stat st {};
      if (::stat(it->path().c_str(), &st) == 0) out.cgroups.insert(st.st_ino);
      // Everything below is covered: the kernel checks every ancestor.
      it.disable_recursion_pending();
      break;
    }
  }
}

}  // namespace

CompiledPolicy compile_policy(const CallerPolicy& policy, bool enforce, bool deny_host, const PolicyInputs& in) {
  CompiledPolicy out;
  out.enforce = enforce;
  out.deny_host = deny_host;
  if (!enforce) return out;  // monitor: the kernel needs nothing else
  for (const auto& rule : policy.rules())
    if (rule.kind == ExpectedCaller::Kind::Uid) out.uids.insert(rule.uid);
  compile_executables(policy, in, out);
  compile_cgroups(policy, in, out);
  return out;
}

}  // namespace sockwarden
