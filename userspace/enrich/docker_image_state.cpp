#include "enrich/docker_image_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "decode/json_depth.h"
#include "enrich/small_file.h"

namespace sockwarden {
namespace {

constexpr size_t kRefMax = 512;  // docker's own limit on a reference is 255 characters per name

bool printable(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

}  // namespace

std::optional<ImageRefs> parse_docker_repositories(std::string_view text) {
  if (!json_depth_within(text)) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto repos = j.find("Repositories");
  if (repos == j.end()) return ImageRefs{};  // dockerd writes {"Repositories":{}} when empty; accept none too
  if (!repos->is_object()) return std::nullopt;
  ImageRefs out;
  for (const auto& [repo, refs] : repos->items()) {
    if (!refs.is_object()) continue;
    for (const auto& [ref, id] : refs.items()) {
      if (out.size() >= kDockerImageRefsMax) return out;
      if (ref.empty() || ref.size() > kRefMax || !printable(ref) || !id.is_string()) continue;
      const auto& s = id.get_ref<const std::string&>();
      if (is_image_id(s)) out.emplace(ref, s);
    }
  }
  return out;
}

std::optional<ImageRefs> read_docker_image_refs(const std::string& root, uint32_t owner) {
  int dfd = ::open((root + "/image").c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return std::nullopt;
  DIR* d = ::fdopendir(dfd);
  if (!d) {
    ::close(dfd);
    return std::nullopt;
  }
  std::optional<ImageRefs> all;
  size_t seen = 0;
  while (dirent* e = ::readdir(d)) {
    if (++seen > 16 + 2) break;  // one directory per graph driver dockerd ever ran with
    std::string_view name(e->d_name);
    if (name == "." || name == ".." || name.size() > 64 || name.find('/') != std::string_view::npos) continue;
    // read_small_file refuses a symlink at the last component; a symlinked driver directory is
    // refused here (the image/ directory itself was opened O_NOFOLLOW).
    struct stat st {};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != owner)
      continue;
    auto text = read_small_file(root + "/image/" + std::string(name) + "/repositories.json", kDockerImageTagsMax,
                                false, owner);
    if (!text) continue;
    auto refs = parse_docker_repositories(*text);
    if (!refs) continue;
    if (!all) all.emplace();
    for (auto& [k, v] : *refs)
      if (all->size() < kDockerImageRefsMax) all->emplace(k, v);
  }
  ::closedir(d);
  return all;
}

std::vector<ImageRefChange> image_ref_changes(const ImageRefs& before, const ImageRefs& after) {
  std::vector<ImageRefChange> out;
  for (const auto& [ref, id] : after) {
    auto it = before.find(ref);
    if (it == before.end()) out.push_back({ref, id, ""});
    else if (it->second != id) out.push_back({ref, id, it->second});
  }
  return out;
}

bool is_image_id(std::string_view s) {
  if (s.size() != 71 || s.substr(0, 7) != "sha256:") return false;
  for (char c : s.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string docker_familiar_ref(std::string_view name, std::string_view tag) {
  if (name.empty() || name.size() > kRefMax || tag.size() > kRefMax || !printable(name) || !printable(tag)) return {};
  std::string n(name);
  for (std::string_view p : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"})
    if (n.rfind(p, 0) == 0) {
      n = n.substr(p.size());
      if (n.rfind("library/", 0) == 0 && n.find('/', 8) == std::string::npos) n = n.substr(8);
      break;
    }
  if (!tag.empty()) {
    n += (tag.rfind("sha256:", 0) == 0 ? "@" : ":");
    n += tag;
    return n;
  }
  if (n.find('@') != std::string::npos) return n;
  // A tag is a ':' after the last '/' (a ':' before it is a registry's port).
  size_t slash = n.rfind('/');
  size_t colon = n.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) n += ":latest";
  return n;
}

}  // namespace sockwarden
