#include "format/container_fields.h"

namespace sockwarden {

void write_container_member(JsonWriter& w, const ContainerInfo& c) {
  if (c.ref.id.empty()) return;
  w.key("container");
  w.begin_object();
  w.member("id", c.ref.id);
  if (!c.image.empty()) {
    w.key("image");
    w.begin_object();
    w.member("name", c.image);
    w.end_object();
  }
  w.member_if("name", c.name);
  w.member_if("runtime", c.ref.runtime);
  w.end_object();
}

void write_orchestrator_member(JsonWriter& w, const ContainerInfo& c) {
  if (c.ref.id.empty() || (c.pod_name.empty() && c.pod_uid.empty())) return;
  w.key("orchestrator");
  w.begin_object();
  w.member_if("namespace", c.pod_namespace);
  w.key("resource");
  w.begin_object();
  w.member_if("id", c.pod_uid);
  w.member_if("name", c.pod_name);
  w.member("type", "pod");
  w.end_object();
  w.member("type", "kubernetes");
  w.end_object();
}

void write_container_parents_member(JsonWriter& w, const ContainerInfo& c) {
  if (c.ref.id.empty() || c.ref.parents.empty()) return;
  w.key("container");
  w.begin_object();
  w.key("parents");
  w.begin_array();
  for (const auto& p : c.ref.parents) {
    w.begin_object();
    w.member("id", p.id);
    w.member("runtime", p.runtime);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace sockwarden
