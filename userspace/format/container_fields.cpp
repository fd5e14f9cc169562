#include "format/container_fields.h"

namespace sockwarden {
namespace {

using nlohmann::json;

// The object under key, created if absent. A non-object value there is
// replaced: it could only be a bug elsewhere, and throwing from an output
// stage would drop the whole event.
json& object_at(json& parent, const char* key) {
  json& v = parent[key];
  if (!v.is_object()) v = json::object();
  return v;
}

void put_if(json& obj, const char* key, const std::string& value) {
  if (!value.empty()) obj[key] = value;
}

}  // namespace

void add_container_fields(json& j, const ContainerInfo& c) {
  if (c.ref.id.empty()) return;
  if (!j.is_object()) j = json::object();

  json& container = object_at(j, "container");
  container["id"] = c.ref.id;
  put_if(container, "name", c.name);
  put_if(container, "runtime", c.ref.runtime);
  if (!c.image.empty()) object_at(container, "image")["name"] = c.image;

  if (!c.pod_name.empty() || !c.pod_uid.empty()) {
    json& orch = object_at(j, "orchestrator");
    orch["type"] = "kubernetes";
    put_if(orch, "namespace", c.pod_namespace);
    json& resource = object_at(orch, "resource");
    resource["type"] = "pod";
    put_if(resource, "name", c.pod_name);
    put_if(resource, "id", c.pod_uid);
  }

  if (!c.ref.parents.empty()) {
    json parents = json::array();
    for (const auto& p : c.ref.parents) parents.push_back({{"runtime", p.runtime}, {"id", p.id}});
    object_at(object_at(j, "sockwarden"), "container")["parents"] = std::move(parents);
  }
}

}  // namespace sockwarden
