#include "enrich/containerd_image_state.h"

#include "enrich/bolt_db.h"
#include "enrich/containerd_effect_state.h"

namespace sockwarden {
namespace {

constexpr char kSep = '\x1f';

// docker_familiar_ref bounds and checks the name itself; this only keeps a
// hostile database from making the agent hold long keys first.
bool printable_name(std::string_view n) { return !n.empty() && n.size() <= 512; }

}  // namespace

std::string containerd_image_key(std::string_view ns, std::string_view name) {
  if (!is_containerd_identifier(ns) || !printable_name(name)) return {};
  std::string familiar = docker_familiar_ref(name);
  if (familiar.empty()) return {};
  return std::string(ns) + kSep + familiar;
}

std::pair<std::string, std::string> split_containerd_image_key(const std::string& key) {
  size_t at = key.find(kSep);
  if (at == std::string::npos) return {std::string(), key};
  return {key.substr(0, at), key.substr(at + 1)};
}

std::optional<ImageRefs> read_containerd_image_refs(const std::string& root, uint32_t owner) {
  auto db = BoltDb::open(containerd_metadata_db(root), owner);
  if (!db) return std::nullopt;
  ImageRefs refs;
  // One snapshot for the namespaces, their images and each image's target.
  bool ok = db->read([&](BoltDb::View& v) {
    refs.clear();
    std::vector<std::string> namespaces;
    v.each({"v1"}, [&](std::string_view k, std::string_view, bool bucket) {
      if (bucket && is_containerd_identifier(k)) namespaces.emplace_back(k);
      return namespaces.size() < 1024;
    });
    for (const auto& ns : namespaces) {
      std::vector<std::string> names;
      v.each({"v1", ns, "images"}, [&](std::string_view k, std::string_view, bool bucket) {
        // The CRI plugin's "sha256:<config digest>" entries index images by id: no reference.
        if (bucket && printable_name(k) && !is_image_id(k)) names.emplace_back(k);
        return names.size() + refs.size() < kDockerImageRefsMax;
      });
      for (const auto& name : names) {
        auto digest = v.get({"v1", ns, "images", name, "target"}, "digest");
        if (!digest || !is_image_id(*digest)) continue;
        std::string key = containerd_image_key(ns, name);
        if (!key.empty()) refs.emplace(std::move(key), std::move(*digest));
      }
    }
  });
  if (!ok) return std::nullopt;
  return refs;
}

}  // namespace sockwarden
