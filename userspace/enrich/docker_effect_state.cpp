#include "enrich/docker_effect_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "decode/json_depth.h"
#include "enrich/small_file.h"

namespace sockwarden {
namespace {

int digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}


std::optional<nlohmann::json> read_object(const std::string& path, uint32_t owner) {
  auto text = read_small_file(path, kDockerStateMax, false, owner);
  if (!text || !json_depth_within(*text)) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

}  // namespace

void each_id_dir(const std::string& dir, size_t max_entries,
                 const std::function<bool(const std::string& id, const struct stat& st)>& f) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return;
  DIR* d = ::fdopendir(dfd);
  if (!d) {
    ::close(dfd);
    return;
  }
  size_t seen = 0;
  while (dirent* e = ::readdir(d)) {
    if (++seen > max_entries) break;
    std::string_view name(e->d_name);
    if (!is_full_container_id(name)) continue;
    struct stat st {};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (!f(std::string(name), st)) break;
  }
  ::closedir(d);
}

uint64_t parse_rfc3339_ns(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2),
      se = digits(s, 17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60 ||
      s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return 0;
  size_t i = 19;
  uint64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    i++;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 9) {
        frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
        n++;
      }
      i++;
    }
    for (; n < 9; n++) frac *= 10;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || s[i + 3] != ':') return 0;
    offset = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return 0;
  }
  if (i != s.size()) return 0;
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  if (secs < 0) return 0;
  return static_cast<uint64_t>(secs) * 1000000000ull + frac;
}

bool is_full_container_id(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<DockerContainerRecord> read_docker_container(const std::string& root, const std::string& id,
                                                           uint32_t owner) {
  if (!is_full_container_id(id)) return std::nullopt;  // never a path component from a caller's bytes
  const std::string dir = root + "/containers/" + id;
  // The directory itself: a symlink there would redirect both reads.
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != owner) return std::nullopt;
  auto cfg = read_object(dir + "/config.v2.json", owner);
  if (!cfg) return std::nullopt;
  auto hc_text = read_small_file(dir + "/hostconfig.json", kDockerStateMax, false, owner);
  if (!hc_text || !json_depth_within(*hc_text)) return std::nullopt;
  if (!nlohmann::json::parse(*hc_text, nullptr, false).is_object()) return std::nullopt;
  DockerContainerRecord r;
  r.id = id;
  if (auto it = cfg->find("Name"); it != cfg->end() && it->is_string()) r.name = it->get<std::string>();
  if (auto it = cfg->find("Created"); it != cfg->end() && it->is_string())
    r.created_ns = parse_rfc3339_ns(it->get<std::string>());
  r.hostconfig = std::move(*hc_text);
  return r;
}

std::vector<std::string> docker_changed_container_ids(const std::string& root, uint64_t since_ns,
                                                      size_t max_entries) {
  std::vector<std::string> out;
  each_id_dir(root + "/containers", max_entries, [&](const std::string& name, const struct stat& st) {
    uint64_t mtime = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
    if (mtime >= since_ns) out.push_back(std::move(name));
    return true;
  });
  return out;
}

std::optional<DockerContainerLocation> docker_find_container(const std::vector<std::string>& roots,
                                                             std::string_view ref, uint32_t owner,
                                                             size_t max_entries) {
  if (ref.empty() || ref.size() > 256) return std::nullopt;
  std::string name(ref);
  if (name[0] != '/') name.insert(name.begin(), '/');
  bool hex = ref.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  for (const auto& root : roots) {
    if (hex && ref.size() == 64) {
      if (read_docker_container(root, std::string(ref), owner)) return DockerContainerLocation{root, std::string(ref)};
      continue;
    }
    // dockerd resolves a full id, then a name, then a unique id prefix.
    std::optional<std::string> by_name, by_prefix;
    bool prefix_ambiguous = false;
    each_id_dir(root + "/containers", max_entries, [&](const std::string& id, const struct stat&) {
      if (hex && id.compare(0, ref.size(), ref) == 0) {
        if (by_prefix) prefix_ambiguous = true;
        by_prefix = id;
      }
      if (!by_name) {
        auto cfg = read_object(root + "/containers/" + id + "/config.v2.json", owner);
        if (cfg) {
          auto it = cfg->find("Name");
          if (it != cfg->end() && it->is_string() && it->get<std::string>() == name) by_name = id;
        }
      }
      return true;
    });
    if (by_name) return DockerContainerLocation{root, *by_name};
    if (by_prefix && !prefix_ambiguous) return DockerContainerLocation{root, *by_prefix};
  }
  return std::nullopt;
}

}  // namespace sockwarden
