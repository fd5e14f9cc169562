#include "enrich/runtime_state.h"

#include <nlohmann/json.hpp>

#include "decode/json_depth.h"
#include "enrich/cgroup_layout.h"

namespace sockwarden {
namespace {

using nlohmann::json;

// Names and images come from files other users may write (rootless podman,
// Docker labels set by whoever runs `docker run`): keep every field to a
// length a log line can afford.
constexpr size_t kMaxField = 512;

std::string clip(std::string s) {
  if (s.size() > kMaxField) s.resize(kMaxField);
  return s;
}

// Never throws: a field that is missing or not a string reads as "".
std::string raw_str_at(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::string str_at(const json& obj, const char* key) { return clip(raw_str_at(obj, key)); }

bool bool_at(const json& obj, const char* key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::string first_string(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array() || it->empty() || !it->front().is_string()) return "";
  return clip(it->front().get<std::string>());
}

const json& obj_at(const json& obj, const char* key) {
  static const json kEmpty = json::object();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_object()) return kEmpty;
  return *it;
}

std::string first_nonempty(std::initializer_list<std::string> xs) {
  for (const auto& x : xs)
    if (!x.empty()) return x;
  return "";
}

// Runtimes record "the image the user asked for" under several keys, some of
// which fall back to the image id when there was no name (an image run by
// id). An id says nothing to a reader of the event, so it is dropped.
std::string image_or_empty(std::string image) {
  std::string bare = image.rfind("sha256:", 0) == 0 ? image.substr(7) : image;
  if (is_container_id(bare)) return "";
  return image;
}

json parse_or_discarded(const std::string& text) {
  // allow_exceptions=false: malformed input yields a discarded value, never
  // an exception on the event path.
  // Too deep to copy or dump safely (json_depth.h): as malformed.
  if (!json_depth_within(text)) return json(json::value_t::discarded);
  return json::parse(text, nullptr, false);
}

}  // namespace

std::optional<RuntimeMetadata> parse_docker_config_v2(const std::string& text) {
  json doc = parse_or_discarded(text);
  if (!doc.is_object()) return std::nullopt;
  RuntimeMetadata m;
  m.name = str_at(doc, "Name");
  if (!m.name.empty() && m.name[0] == '/') m.name.erase(0, 1);
  const json& config = obj_at(doc, "Config");
  m.image = image_or_empty(str_at(config, "Image"));

  // dockershim / cri-dockerd name their containers "k8s_<container>_<pod>_..."
  // and put the real names in labels.
  const json& labels = obj_at(config, "Labels");
  std::string k8s_name = str_at(labels, "io.kubernetes.container.name");
  if (!k8s_name.empty()) m.name = k8s_name;
  m.pod_name = str_at(labels, "io.kubernetes.pod.name");
  m.pod_namespace = str_at(labels, "io.kubernetes.pod.namespace");
  m.pod_uid = str_at(labels, "io.kubernetes.pod.uid");
  m.sandbox = str_at(labels, "io.kubernetes.docker.type") == "podsandbox";
  return m;
}

std::optional<RuntimeMetadata> parse_oci_annotations(const std::string& text) {
  json doc = parse_or_discarded(text);
  if (!doc.is_object()) return std::nullopt;
  const json& a = obj_at(doc, "annotations");
  RuntimeMetadata m;
  m.manager = str_at(a, "io.container.manager");

  bool cri_sandbox = str_at(a, "io.kubernetes.cri.container-type") == "sandbox";
  bool crio_sandbox = str_at(a, "io.kubernetes.cri-o.ContainerType") == "sandbox";
  m.sandbox = cri_sandbox || crio_sandbox;

  m.name = first_nonempty({str_at(a, "io.kubernetes.cri.container-name"),
                           str_at(a, "io.kubernetes.container.name"), str_at(a, "nerdctl/name")});
  m.pod_name = first_nonempty({str_at(a, "io.kubernetes.cri.sandbox-name"), str_at(a, "io.kubernetes.pod.name")});
  m.pod_namespace =
      first_nonempty({str_at(a, "io.kubernetes.cri.sandbox-namespace"), str_at(a, "io.kubernetes.pod.namespace")});
  m.pod_uid = first_nonempty({str_at(a, "io.kubernetes.cri.sandbox-uid"), str_at(a, "io.kubernetes.pod.uid")});
  // CRI-O: ImageName is the resolved name ("docker.io/library/nginx:1.25"),
  // Image what the kubelet sent (a name, or an id when the pod spec used one).
  m.image = first_nonempty({image_or_empty(str_at(a, "io.kubernetes.cri.image-name")),
                            image_or_empty(str_at(a, "io.kubernetes.cri.podsandbox.image-name")),
                            image_or_empty(str_at(a, "io.kubernetes.cri-o.ImageName")),
                            image_or_empty(str_at(a, "io.kubernetes.cri-o.Image"))});
  return m;
}

std::optional<std::vector<StorageContainer>> parse_storage_containers(const std::string& text) {
  json doc = parse_or_discarded(text);
  if (!doc.is_array()) return std::nullopt;
  std::vector<StorageContainer> out;
  out.reserve(doc.size());
  for (const json& entry : doc) {
    StorageContainer c;
    c.id = str_at(entry, "id");
    if (!is_container_id(c.id)) continue;

    // "metadata" is a JSON document stored as a string.
    json md = parse_or_discarded(raw_str_at(entry, "metadata"));
    RuntimeMetadata& m = c.meta;
    m.name = first_nonempty({str_at(md, "metadata-name"), str_at(md, "name"), first_string(entry, "names")});
    m.image = image_or_empty(str_at(md, "image-name"));
    m.pod_name = str_at(md, "pod-name");
    m.pod_id = str_at(md, "pod-id");
    m.pod_namespace = str_at(md, "namespace");
    m.pod_uid = str_at(md, "uid");
    m.sandbox = bool_at(md, "pod");
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sockwarden
