#include "enrich/podman_effect_state.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "decode/json_depth.h"
#include "enrich/bolt_db.h"
#include "enrich/docker_effect_state.h"
#include "enrich/small_file.h"

namespace sockwarden {

std::vector<std::string> podman_container_dirs(const std::string& graph_root) {
  std::vector<std::string> out;
  for (const char* d : {"overlay", "vfs", "btrfs", "zfs"}) out.push_back(graph_root + "/" + d + "-containers");
  return out;
}

std::optional<PodmanSpec> read_podman_spec(const std::vector<std::string>& dirs, const std::string& id,
                                           uint32_t owner) {
  if (!is_full_container_id(id)) return std::nullopt;  // never a path component from a caller's bytes
  for (const auto& dir : dirs) {
    const std::string cdir = dir + "/" + id;
    struct stat st {};
    if (::lstat(cdir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != owner) continue;
    std::string ud = cdir + "/userdata";
    if (::lstat(ud.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != owner) continue;
    auto text = read_small_file(ud + "/config.json", kDockerStateMax, false, owner);
    if (!text || !json_depth_within(*text)) continue;
    if (!nlohmann::json::parse(*text, nullptr, false).is_object()) continue;
    return PodmanSpec{dir, id, std::move(*text)};
  }
  return std::nullopt;
}

std::optional<PodmanSpec> read_podman_db_spec(const std::vector<std::string>& graph_roots, const std::string& id,
                                              uint32_t owner) {
  if (!is_full_container_id(id)) return std::nullopt;
  for (const auto& root : graph_roots) {
    const std::string path = root + "/libpod/bolt_state.db";
    auto db = BoltDb::open(path, owner);
    if (!db) continue;
    auto config = db->get({"ctr", id}, "config");
    if (!config || !json_depth_within(*config)) continue;
    auto j = nlohmann::json::parse(*config, nullptr, false);
    if (!j.is_object()) continue;
    auto spec = j.find("spec");
    if (spec == j.end() || !spec->is_object()) continue;
    // At the create podman records privilege as its own "privileged" flag and adds the device
    // access (every host device, all allowed) only when it starts the container; what runc
    // will get for a privileged container is that shape, so the stored spec is completed with it.
    auto privileged = j.find("privileged");
    if (privileged != j.end() && privileged->is_boolean() && privileged->get<bool>()) {
      nlohmann::json& lnx = (*spec)["linux"];
      if (!lnx.is_object()) lnx = nlohmann::json::object();
      nlohmann::json& res = lnx["resources"];
      if (!res.is_object()) res = nlohmann::json::object();
      nlohmann::json& devs = res["devices"];
      if (!devs.is_array()) devs = nlohmann::json::array();
      devs.push_back({{"allow", true}, {"access", "rwm"}});
    }
    return PodmanSpec{path, id, spec->dump()};
  }
  return std::nullopt;
}

std::optional<std::string> podman_find_container(const std::vector<std::string>& dirs, std::string_view ref,
                                                 uint32_t owner) {
  if (ref.empty() || ref.size() > 256) return std::nullopt;
  const bool hex = ref.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  for (const auto& dir : dirs) {
    auto text = read_small_file(dir + "/containers.json", size_t{8} << 20, false, owner);
    if (!text || !json_depth_within(*text)) continue;
    auto list = nlohmann::json::parse(*text, nullptr, false);
    if (!list.is_array()) continue;
    std::optional<std::string> by_prefix;
    bool ambiguous = false;
    for (const auto& c : list) {
      if (!c.is_object()) continue;
      auto id = c.find("id");
      if (id == c.end() || !id->is_string() || !is_full_container_id(id->get<std::string>())) continue;
      const std::string cid = id->get<std::string>();
      if (cid == ref) return cid;
      if (auto names = c.find("names"); names != c.end() && names->is_array())
        for (const auto& n : *names)
          if (n.is_string() && n.get<std::string>() == ref) return cid;
      if (hex && cid.compare(0, ref.size(), ref) == 0) {
        ambiguous = ambiguous || by_prefix.has_value();
        by_prefix = cid;
      }
    }
    if (by_prefix && !ambiguous) return by_prefix;
  }
  return std::nullopt;
}

std::vector<std::string> podman_created_between(const std::vector<std::string>& dirs, uint64_t since_ns,
                                                uint64_t until_ns, uint32_t owner, size_t max) {
  std::vector<std::string> out;
  for (const auto& dir : dirs) {
    auto text = read_small_file(dir + "/containers.json", size_t{8} << 20, false, owner);
    if (!text || !json_depth_within(*text)) continue;
    auto list = nlohmann::json::parse(*text, nullptr, false);
    if (!list.is_array()) continue;
    for (const auto& c : list) {
      if (!c.is_object()) continue;
      auto id = c.find("id");
      auto created = c.find("created");
      if (id == c.end() || !id->is_string() || !is_full_container_id(id->get<std::string>())) continue;
      if (created == c.end() || !created->is_string()) continue;
      const uint64_t t = parse_rfc3339_ns(created->get<std::string>());
      if (t == 0 || t < since_ns || t > until_ns) continue;
      out.push_back(id->get<std::string>());
      if (out.size() >= max) return out;
    }
  }
  return out;
}

std::string podman_spec_without_own_mounts(const std::string& spec_text, const std::string& id) {
  auto spec = nlohmann::ordered_json::parse(spec_text, nullptr, false);
  if (!spec.is_object()) return spec_text;
  auto ms = spec.find("mounts");
  if (ms == spec.end() || !ms->is_array()) return spec_text;
  const std::string own = "-containers/" + id + "/userdata/";
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  for (const auto& m : *ms) {
    if (m.is_object()) {
      auto src = m.find("source");
      if (src != m.end() && src->is_string() && src->get<std::string>().find(own) != std::string::npos) continue;
    }
    kept.push_back(m);
  }
  *ms = std::move(kept);
  return spec.dump();
}

}  // namespace sockwarden
