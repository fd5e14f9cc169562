#include "enrich/podman_image_state.h"

#include <nlohmann/json.hpp>

#include "decode/json_depth.h"
#include "enrich/small_file.h"

namespace sockwarden {
namespace {

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string podman_local_name(std::string_view name) {
  const size_t slash = name.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = name.substr(0, slash);
    if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos) return std::string(name);
  }
  return "localhost/" + std::string(name);
}

std::optional<ImageRefs> parse_podman_images(std::string_view text) {
  if (!json_depth_within(text)) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return std::nullopt;
  ImageRefs out;
  for (const auto& image : j) {
    if (!image.is_object()) continue;
    auto id = image.find("id");
    auto names = image.find("names");
    if (id == image.end() || !id->is_string() || !is_hex64(id->get_ref<const std::string&>())) continue;
    if (names == image.end() || !names->is_array()) continue;  // an image without a name: no reference
    for (const auto& n : *names) {
      if (out.size() >= kDockerImageRefsMax) return out;
      if (!n.is_string()) continue;
      std::string ref = docker_familiar_ref(n.get_ref<const std::string&>());
      if (!ref.empty()) out.insert_or_assign(std::move(ref), "sha256:" + id->get<std::string>());
    }
  }
  return out;
}

std::optional<ImageRefs> read_podman_image_refs(const std::string& graph_root, uint32_t owner) {
  std::optional<ImageRefs> out;
  for (const char* driver : {"overlay", "vfs", "btrfs", "zfs"}) {
    auto text = read_small_file(graph_root + "/" + driver + "-images/images.json", kDockerImageTagsMax, false, owner);
    if (!text) continue;
    auto refs = parse_podman_images(*text);
    if (!refs) continue;
    if (!out) out.emplace();
    for (auto& [k, v] : *refs)
      if (out->size() < kDockerImageRefsMax) out->emplace(k, v);
  }
  return out;
}

}  // namespace sockwarden
