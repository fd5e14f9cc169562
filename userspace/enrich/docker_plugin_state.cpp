#include "enrich/docker_plugin_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "decode/json_depth.h"
#include "enrich/docker_effect_state.h"
#include "enrich/small_file.h"

namespace sockwarden {
namespace {

using nlohmann::json;

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

// distribution/reference's path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
bool path_component_ok(std::string_view s) {
  if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  for (size_t i = 0; i < s.size();) {
    if (lower_alnum(s[i])) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !lower_alnum(s[j])) j++;
    std::string_view sep = s.substr(i, j - i);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// A registry host: components of [A-Za-z0-9-] (not starting or ending with '-') joined by '.',
// an optional numeric port.
bool domain_ok(std::string_view d) {
  if (auto colon = d.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
    d = d.substr(0, colon);
  }
  if (d.empty()) return false;
  size_t i = 0;
  while (i <= d.size()) {
    size_t dot = d.find('.', i);
    if (dot == std::string_view::npos) dot = d.size();
    std::string_view c = d.substr(i, dot - i);
    if (c.empty() || !alnum(c.front()) || !alnum(c.back())) return false;
    for (char ch : c)
      if (!alnum(ch) && ch != '-') return false;
    i = dot + 1;
  }
  return true;
}

// [\w][\w.-]{0,127}
bool tag_ok(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return alnum(c) || c == '_'; };
  if (!word(t[0])) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

// A string kept from the hostile file: printable ASCII (names, paths, capabilities are), bounded.
bool printable(std::string_view s) {
  if (s.size() > kDockerPluginMaxString) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

// Go's encoding/json matches keys ignoring case; dockerd writes them as in its structs. A
// file with the key spelled twice is not one dockerd wrote: the last one is taken, as Go does.
const json* member(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  const json* found = nullptr;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k.size() != key.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < k.size() && eq; i++)
      eq = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(key[i]));
    if (eq) found = &it.value();
  }
  return found;
}

bool flag(const json& j, std::string_view key) {
  const json* v = member(j, key);
  return v && v->is_boolean() && v->get<bool>();
}

// A string member: "" when absent or null; nullopt when it is something a bounded reader refuses.
std::optional<std::string> string_member(const json& j, std::string_view key) {
  const json* v = member(j, key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string() || !printable(v->get_ref<const std::string&>())) return std::nullopt;
  return v->get<std::string>();
}

// An array member (absent or null: empty) of at most kDockerPluginMaxItems; nullopt otherwise.
std::optional<std::vector<const json*>> list_member(const json& j, std::string_view key) {
  std::vector<const json*> out;
  const json* v = member(j, key);
  if (!v || v->is_null()) return out;
  if (!v->is_array() || v->size() > kDockerPluginMaxItems) return std::nullopt;
  for (const auto& e : *v) out.push_back(&e);
  return out;
}

bool add_distinct(std::vector<std::string>& v, std::string s) {
  for (const auto& x : v)
    if (x == s) return true;
  if (v.size() >= kDockerPluginMaxItems * 2) return false;
  v.push_back(std::move(s));
  return true;
}

// Mounts ({"Source": "/" or null, "Settable": ["source"], ...}): each source that is set, and
// whether `docker plugin set <name>.source=` may change it.
bool read_mounts(const json& list_owner, std::string_view key, DockerPluginRecord& p, bool config) {
  auto mounts = list_member(list_owner, key);
  if (!mounts) return false;
  for (const json* m : *mounts) {
    if (!m->is_object()) return false;
    auto src = string_member(*m, "Source");
    if (!src) return false;
    if (src->empty()) continue;  // no source: not a privilege, and dockerd refuses to start it
    if (!add_distinct(p.mounts, *src)) return false;
    if (config) p.privileges.push_back("mount=" + *src);
    auto settable = list_member(*m, "Settable");
    if (!settable) return false;
    for (const json* s : *settable)
      if (s->is_string() && s->get_ref<const std::string&>() == "source" && !add_distinct(p.settable_sources, *src))
        return false;
  }
  return true;
}

// Devices ({"Path": "/dev/fuse" or null, "Settable": ["path"], ...}).
bool read_devices(const json& list_owner, std::string_view key, DockerPluginRecord& p, bool config) {
  auto devices = list_member(list_owner, key);
  if (!devices) return false;
  for (const json* d : *devices) {
    if (!d->is_object()) return false;
    auto path = string_member(*d, "Path");
    if (!path) return false;
    if (path->empty()) continue;
    if (!add_distinct(p.devices, *path)) return false;
    if (config) p.privileges.push_back("device=" + *path);
    auto settable = list_member(*d, "Settable");
    if (!settable) return false;
    for (const json* s : *settable)
      if (s->is_string() && s->get_ref<const std::string&>() == "path" && !add_distinct(p.settable_sources, *path))
        return false;
  }
  return true;
}

// The plugin object ({"Id", "Name", "Config", "Settings", ...}) -> the record; false when it is
// not what dockerd writes or exceeds the bounds.
bool read_plugin_object(const json& obj, DockerPluginRecord& p) {
  auto id = string_member(obj, "Id");
  auto name = string_member(obj, "Name");
  auto ref = string_member(obj, "PluginReference");
  if (!id || *id != p.id || !name || name->empty() || !ref) return false;
  p.name = *name;
  p.reference = *ref;
  p.enabled = flag(obj, "Enabled");
  const json* cfg = member(obj, "Config");
  if (!cfg || !cfg->is_object()) return false;
  const json* settings = member(obj, "Settings");
  const json empty = json::object();
  if (!settings || settings->is_null()) settings = &empty;
  if (!settings->is_object()) return false;
  const json* linux_cfg = member(*cfg, "Linux");
  if (!linux_cfg || linux_cfg->is_null()) linux_cfg = &empty;
  if (!linux_cfg->is_object()) return false;

  // In the order moby's computePrivileges lists them.
  if (const json* net = member(*cfg, "Network"); net && !net->is_null()) {
    auto type = string_member(*net, "Type");
    if (!type) return false;
    p.network = *type;
  }
  if (p.network != "" && p.network != "null" && p.network != "bridge") p.privileges.push_back("network=" + p.network);
  p.ipc_host = flag(*cfg, "IpcHost");
  p.pid_host = flag(*cfg, "PidHost");
  if (p.ipc_host) p.privileges.push_back("host ipc namespace=true");
  if (p.pid_host) p.privileges.push_back("host pid namespace=true");
  if (!read_mounts(*cfg, "Mounts", p, true)) return false;
  if (!read_devices(*linux_cfg, "Devices", p, true)) return false;
  p.allow_all_devices = flag(*linux_cfg, "AllowAllDevices");
  if (p.allow_all_devices) p.privileges.push_back("allow-all-devices=true");
  auto caps = list_member(*linux_cfg, "Capabilities");
  if (!caps) return false;
  for (const json* c : *caps) {
    if (!c->is_string() || !printable(c->get_ref<const std::string&>())) return false;
    add_distinct(p.capabilities, c->get<std::string>());
    p.privileges.push_back("capabilities=" + c->get<std::string>());
  }
  // What runs: the settings (`docker plugin set`) replace the config's mount sources and add
  // devices; both are the effect.
  return read_mounts(*settings, "Mounts", p, false) && read_devices(*settings, "Devices", p, false);
}


}  // namespace

std::string docker_plugin_familiar_name(std::string_view ref) {
  if (ref.empty() || ref.size() > 255 + 129) return {};
  if (ref.find('@') != std::string_view::npos) return {};  // canonical: dockerd cannot resolve it by name
  std::string_view name = ref, tag = "latest";
  if (auto colon = ref.rfind(':'); colon != std::string_view::npos) {
    auto slash = ref.rfind('/');
    if (slash == std::string_view::npos || colon > slash) {
      name = ref.substr(0, colon);
      tag = ref.substr(colon + 1);
      if (!tag_ok(tag)) return {};
    }
  }
  if (name.empty() || name.size() > 255) return {};
  // A 64-hex string is an id, never a name.
  if (is_full_container_id(name)) return {};
  std::string_view domain = "docker.io", remainder = name;
  if (auto i = name.find('/'); i != std::string_view::npos) {
    std::string_view first = name.substr(0, i);
    bool lower = true;
    for (char c : first) lower = lower && !(c >= 'A' && c <= 'Z');
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || !lower) {
      domain = first;
      remainder = name.substr(i + 1);
    }
  }
  if (domain == "index.docker.io") domain = "docker.io";
  if (domain != "docker.io" && !domain_ok(domain)) return {};
  if (remainder.empty()) return {};
  for (size_t i = 0; i <= remainder.size();) {
    size_t slash = remainder.find('/', i);
    if (slash == std::string_view::npos) slash = remainder.size();
    if (!path_component_ok(remainder.substr(i, slash - i))) return {};
    i = slash + 1;
  }
  std::string out;
  if (domain == "docker.io") {
    // FamiliarString: docker.io/library/x -> x, docker.io/u/x -> u/x.
    std::string_view r = remainder;
    if (r.rfind("library/", 0) == 0 && r.find('/', 8) == std::string_view::npos) r.remove_prefix(8);
    out = std::string(r);
  } else {
    out = std::string(domain) + "/" + std::string(remainder);
  }
  return out + ":" + std::string(tag);
}

std::optional<DockerPluginRecord> read_docker_plugin(const std::string& root, const std::string& id, uint32_t owner) {
  if (!is_full_container_id(id)) return std::nullopt;  // never a path component from a caller's bytes
  const std::string dir = root + "/plugins/" + id;
  // The directory itself: a symlink there would redirect the read to a file of the linker's choice.
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != owner) return std::nullopt;
  const std::string path = dir + "/config.json";
  auto text = read_small_file(path, kDockerPluginConfigMax, false, owner);
  if (!text || !json_depth_within(*text)) return std::nullopt;
  json doc = json::parse(*text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  const json* obj = member(doc, "plugin");
  if (!obj || !obj->is_object()) return std::nullopt;
  DockerPluginRecord p;
  p.root = root;
  p.id = id;
  if (!read_plugin_object(*obj, p)) return std::nullopt;
  // When dockerd last wrote it (it replaces the file by a rename: a new inode, a new mtime).
  // Taken after the read: a rewrite in between only makes it look newer.
  if (::lstat(path.c_str(), &st) == 0)
    p.written_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  return p;
}

std::vector<DockerPluginRecord> docker_list_plugins(const std::string& root, uint32_t owner, size_t max_entries) {
  std::vector<DockerPluginRecord> out;
  each_id_dir(root + "/plugins", max_entries, [&](const std::string& id, const struct stat&) {
    if (auto p = read_docker_plugin(root, id, owner)) out.push_back(std::move(*p));
    return true;  // storage/, tmp/ and anything else not an id are skipped by the listing
  });
  return out;
}

const DockerPluginRecord* docker_find_plugin(const std::vector<DockerPluginRecord>& plugins, std::string_view ref) {
  if (ref.empty() || ref.size() > 512) return nullptr;
  // dockerd's order (plugin/store resolvePluginID): a full id, the familiar name with its tag,
  // then an id prefix unique within that daemon's store.
  if (is_full_container_id(ref))
    for (const auto& p : plugins)
      if (p.id == ref) return &p;
  const std::string name = docker_plugin_familiar_name(ref);
  if (!name.empty())
    for (const auto& p : plugins)
      if (p.name == name) return &p;
  // One data root's plugins are one daemon's store (docker_list_plugins lists them together):
  // the first root with a match decides, and a prefix two of its plugins share names none.
  for (size_t i = 0; i < plugins.size();) {
    const DockerPluginRecord* hit = nullptr;
    size_t n = 0, j = i;
    for (; j < plugins.size() && plugins[j].root == plugins[i].root; j++)
      if (plugins[j].id.compare(0, ref.size(), ref) == 0) {
        hit = &plugins[j];
        n++;
      }
    if (n == 1) return hit;
    if (n > 1) return nullptr;
    i = j;
  }
  return nullptr;
}

}  // namespace sockwarden
