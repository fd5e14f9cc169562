#include "enrich/cgroup_layout.h"

#include <algorithm>
#include <string_view>

namespace sockwarden {
namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool all_lower_hex(std::string_view s) { return std::all_of(s.begin(), s.end(), is_lower_hex); }

bool strip_suffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

bool strip_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// Pod uids are RFC 4122 UUIDs, except for static (manifest) pods, whose uid
// is the 32-hex md5 of the manifest that the kubelet computes itself.
bool is_pod_uid(std::string_view s) {
  if (s.size() == 32) return all_lower_hex(s);
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_pos ? s[i] != '-' : !is_lower_hex(s[i])) return false;
  }
  return true;
}

// "pod<uid>" (cgroupfs driver) or "...-pod<uid with '_' for '-'>.slice"
// (systemd driver: '-' separates slice hierarchy levels in systemd unit
// names, so the kubelet escapes the uid's dashes as underscores).
std::optional<std::string> pod_uid_of(std::string_view comp) {
  std::string uid;
  std::string_view rest = comp;
  if (strip_suffix(rest, ".slice")) {
    size_t at = rest.rfind("-pod");
    if (at == std::string_view::npos) return std::nullopt;
    uid = std::string(rest.substr(at + 4));
    std::replace(uid.begin(), uid.end(), '_', '-');
  } else if (strip_prefix(rest, "pod")) {
    uid = std::string(rest);
  } else {
    return std::nullopt;
  }
  if (!is_pod_uid(uid)) return std::nullopt;
  return uid;
}

struct Prefix {
  std::string_view text;
  const char* runtime;  // nullptr: a runtime's helper process, not a container
};

// Longest first: "crio-conmon-" must win over "crio-". conmon (the monitor
// CRI-O and podman start per container) sits in its own scope next to the
// container's; the processes in it are not the container's.
constexpr Prefix kPrefixes[] = {
    {"crio-conmon-", nullptr},   {"libpod-conmon-", nullptr}, {"cri-containerd-", "containerd"},
    {"crio-", "cri-o"},          {"libpod-", "podman"},       {"docker-", "docker"},
    {"nerdctl-", "containerd"},
};

// A bare "<id>" directory: cgroupfs drivers name the cgroup after the id and
// put the runtime's name, if anywhere, in the parent.
std::optional<ContainerRef> bare_id(std::string_view comp, std::string_view parent) {
  std::string id(comp);
  if (!is_container_id(id)) return std::nullopt;
  ContainerRef ref;
  ref.id = std::move(id);
  if (parent == "docker") {
    ref.runtime = "docker";
  } else {
    // Kubernetes with the cgroupfs driver gives containerd, CRI-O (when it
    // is not using its crio- prefix) and cri-dockerd the same
    // /kubepods/<qos>/pod<uid>/<id> layout, and containerd's default spec
    // uses /<namespace>/<id>. containerd is the most common owner; the
    // resolver confirms or corrects it from on-disk state.
    ref.runtime = "containerd";
    ref.runtime_inferred = true;
  }
  return ref;
}

// nullopt: not a container (or a runtime helper such as conmon).
std::optional<ContainerRef> container_of(std::string_view comp, std::string_view parent) {
  std::string_view base = comp;
  strip_suffix(base, ".scope");
  for (const auto& p : kPrefixes) {
    std::string_view rest = base;
    if (!strip_prefix(rest, p.text)) continue;
    if (p.runtime == nullptr || !is_container_id(std::string(rest))) return std::nullopt;
    ContainerRef ref;
    ref.runtime = p.runtime;
    ref.id = std::string(rest);
    return ref;
  }
  if (base.size() != comp.size()) return std::nullopt;  // "<id>.scope" is no layout we know
  return bare_id(comp, parent);
}

}  // namespace

bool is_container_id(const std::string& s) { return s.size() == 64 && all_lower_hex(s); }

std::optional<ContainerRef> parse_container_cgroup(const std::string& cgroup_path) {
  std::vector<ContainerRef> chain;
  std::string pending_pod_uid;
  std::string_view parent;

  std::string_view rest = cgroup_path;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view comp = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (comp.empty()) continue;

    if (auto uid = pod_uid_of(comp)) {
      pending_pod_uid = std::move(*uid);
      parent = comp;
      continue;
    }
    if (auto ref = container_of(comp, parent)) {
      // A pod uid belongs to the first container below its pod cgroup only:
      // a container nested inside that one is not the pod's.
      ref->pod_uid = std::move(pending_pod_uid);
      pending_pod_uid.clear();
      chain.push_back(std::move(*ref));
    }
    parent = comp;
  }

  if (chain.empty()) return std::nullopt;
  ContainerRef inner = std::move(chain.back());
  chain.pop_back();
  inner.parents = std::move(chain);
  return inner;
}

}  // namespace sockwarden
