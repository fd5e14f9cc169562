// ECS container.* and orchestrator.* fields for an event's container, written
// by the JSON writer as members of the event document.
#pragma once
#include "format/json_writer.h"
#include "model/container_info.h"

namespace sockwarden {

// "container": container.id, container.image.name, container.name,
// container.runtime (ECS 8.11; empty values are left out). Nothing if c has no
// container id.
void write_container_member(JsonWriter& w, const ContainerInfo& c);

// "orchestrator", for a Kubernetes pod (a pod name or uid is known):
// orchestrator.type = "kubernetes", orchestrator.namespace,
// orchestrator.resource.type = "pod", orchestrator.resource.name (the pod),
// orchestrator.resource.id (the pod uid; ECS: "unique ID of the resource being
// acted upon", in the ECS reference from 8.3 on). Nothing otherwise.
void write_orchestrator_member(JsonWriter& w, const ContainerInfo& c);

// The non-ECS sockwarden.container member, for nested containers only:
// "container": {"parents": [{"id", "runtime"}, ...]} (outermost first),
// written inside the "sockwarden" object. Nothing otherwise.
void write_container_parents_member(JsonWriter& w, const ContainerInfo& c);

}  // namespace sockwarden
