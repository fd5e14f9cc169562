// ECS container.* and orchestrator.* fields for an event's container.
#pragma once
#include <nlohmann/json.hpp>

#include "enrich/container_resolver.h"

namespace sockwarden {

// Adds to j (an event document; existing objects are merged into):
//   container.id, container.name, container.image.name, container.runtime
//   (ECS 8.11 container fields; empty values are left out);
// for a Kubernetes pod (a pod name or uid is known):
//   orchestrator.type = "kubernetes", orchestrator.namespace,
//   orchestrator.resource.type = "pod", orchestrator.resource.name (the
//   pod), orchestrator.resource.id (the pod uid; ECS: "unique ID of the
//   resource being acted upon", present in the ECS reference from 8.3 on);
// and, for nested containers, the non-ECS
//   sockwarden.container.parents = [{"runtime", "id"}, ...] (outermost first).
// Does nothing if c has no container id.
void add_container_fields(nlohmann::json& j, const ContainerInfo& c);

}  // namespace sockwarden
