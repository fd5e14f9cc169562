// Parsers for the metadata container runtimes leave on disk. Text in,
// fields out: no I/O here, so each format is tested from a string.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sockwarden {

// What a runtime's files say about one container. Any field may be empty.
struct RuntimeMetadata {
  std::string name;   // container name as the user knows it ("web", not "k8s_web_...")
  std::string image;  // image as the user gave it ("nginx:1.25"), never a bare image id
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  std::string pod_id;   // CRI-O only: the sandbox's container id (to find namespace/uid)
  std::string manager;  // "libpod" when podman wrote an OCI config.json
  bool sandbox = false; // the pod's infra ("pause") container
};

// Docker's <data-root>/containers/<id>/config.v2.json: moby's
// container.Container serialised (daemon/container/container.go). "Name" is
// "/web"; "Config"."Image" is the image as given to `docker run` ("Image" at
// the top level is the sha256 image id, not wanted). Containers started by the
// kubelet through dockershim/cri-dockerd also carry io.kubernetes.* labels in
// "Config"."Labels", which give the real container and pod names.
std::optional<RuntimeMetadata> parse_docker_config_v2(const std::string& text);

// An OCI runtime spec (the bundle's config.json), read for its annotations:
//   containerd CRI plugin: io.kubernetes.cri.{container-name, sandbox-name,
//     sandbox-namespace, sandbox-uid (containerd >= 1.6.11/1.7), image-name,
//     container-type, podsandbox.image-name (for the sandbox)}
//   CRI-O: io.kubernetes.{container.name, pod.name, pod.namespace, pod.uid},
//     io.kubernetes.cri-o.{ImageName, Image, ContainerType}
//   nerdctl: nerdctl/name (nerdctl copies its labels into annotations)
//   podman: io.container.manager = "libpod" (no name or image in the spec)
// Plain `ctr run` containers carry none of these; the caller falls back to
// the short id. nullopt only if the text is not a JSON object.
std::optional<RuntimeMetadata> parse_oci_annotations(const std::string& text);

// One entry of containers/storage's containers.json or
// volatile-containers.json (shared by podman and CRI-O): {"id", "names":[...],
// "image": <image id>, "metadata": "<JSON in a string>"}. podman's metadata
// holds {"image-name", "image-id", "name", "created-at"}; CRI-O's
// (internal/storage RuntimeContainerMetadata) holds {"pod-name", "pod-id",
// "image-name", "name": "k8s_...", "metadata-name", "uid" and "namespace"
// (sandboxes only), "pod": true for sandboxes}.
struct StorageContainer {
  std::string id;
  RuntimeMetadata meta;
};
// nullopt if the text is not a JSON array; malformed entries are skipped.
std::optional<std::vector<StorageContainer>> parse_storage_containers(const std::string& text);

}  // namespace sockwarden
