// Kubernetes manifests: Pod, Deployment, DaemonSet, StatefulSet, ReplicaSet,
// ReplicationController, Job, CronJob (jobTemplate.spec.template), PodTemplate,
// and the items of a `kind: List`. hostPath volumes mounted by containers,
// initContainers and ephemeralContainers (subPath included), privileged,
// allowPrivilegeEscalation, hostPID/hostNetwork/hostIPC, capabilities.add,
// DOCKER_HOST env. The sockwarden.io/lint-allow annotation on the object or
// its pod template suppresses findings of that object.
#pragma once
#include <yaml-cpp/yaml.h>

#include "lint/finding.h"

namespace sockwarden::lint {

// true when the document is a Kubernetes object (apiVersion + kind).
bool is_kubernetes_object(const YAML::Node& doc);

void check_kubernetes_object(FindingSink& sink, const YAML::Node& doc);

}  // namespace sockwarden::lint
