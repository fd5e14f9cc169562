#include "lint/kubernetes_check.h"

#include <climits>
#include <map>
#include <set>

#include "lint/rules.h"
#include "lint/suppression.h"
#include "lint/workload_checks.h"
#include "lint/yaml_lines.h"

namespace sockwarden::lint {

namespace {

struct PodSource {
  YAML::Node spec;
  std::vector<YAML::Node> metadata;  // the object's and the pod template's (annotations)
};

// Where the pod spec of each workload kind lives.
PodSource pod_source(const YAML::Node& obj) {
  std::string kind = scalar(child(obj, "kind"));
  PodSource p;
  p.metadata.push_back(child(obj, "metadata"));
  YAML::Node template_node;
  if (kind == "Pod") {
    p.spec = child(obj, "spec");
    return p;
  }
  if (kind == "CronJob")
    template_node = child(child(child(child(obj, "spec"), "jobTemplate"), "spec"), "template");
  else if (kind == "PodTemplate")
    template_node = child(obj, "template");
  else if (kind == "Deployment" || kind == "DaemonSet" || kind == "StatefulSet" || kind == "ReplicaSet" ||
           kind == "ReplicationController" || kind == "Job" || kind == "DeploymentConfig")
    template_node = child(child(obj, "spec"), "template");
  p.spec = child(template_node, "spec");
  p.metadata.push_back(child(template_node, "metadata"));
  return p;
}

std::string object_name(const YAML::Node& obj) {
  std::string name = scalar(child(child(obj, "metadata"), "name"));
  return scalar(child(obj, "kind")) + "/" + (name.empty() ? "?" : name);
}

void check_true(FindingSink& sink, const YAML::Node& map, const char* key, const char* rule_id, const std::string& msg) {
  YAML::Node v = child(map, key);
  if (v && yaml_true(scalar(v))) sink.add(line_of(v), rule_id, msg);
}

struct HostPathVolume {
  std::string path;
  int line = 0;
};

void check_container(FindingSink& sink, const YAML::Node& c, const std::string& who,
                     const std::map<std::string, HostPathVolume>& host_paths) {
  YAML::Node sc = child(c, "securityContext");
  check_true(sink, sc, "privileged", rule::kPrivileged, who + " is privileged");
  check_true(sink, sc, "allowPrivilegeEscalation", rule::kPrivilegeEscalation,
             who + " sets allowPrivilegeEscalation: true");
  YAML::Node add = child(child(sc, "capabilities"), "add");
  if (add.IsSequence())
    for (const auto& cap : add) check_capability(sink, line_of(cap), scalar(cap), who);
  YAML::Node mounts = child(c, "volumeMounts");
  if (mounts.IsSequence())
    for (const auto& m : mounts) {
      auto it = host_paths.find(scalar(child(m, "name")));
      if (it == host_paths.end()) continue;
      std::string path = it->second.path;
      std::string sub = scalar(child(m, "subPath"));
      if (!sub.empty()) path += "/" + sub;
      // Reported on the hostPath (the host side is what leaks); the subPath
      // line when it narrows the mount down to a socket.
      int line = sub.empty() ? it->second.line : line_of(child(m, "subPath"));
      check_mount_source(sink, line, path, who + " (volume " + it->first + ")");
    }
  YAML::Node env = child(c, "env");
  if (env.IsSequence())
    for (const auto& e : env)
      if (scalar(child(e, "name")) == "DOCKER_HOST" && is_tcp_endpoint(scalar(child(e, "value")))) {
        bool verify = false;
        for (const auto& e2 : env)
          verify = verify || (scalar(child(e2, "name")) == "DOCKER_TLS_VERIFY" && !scalar(child(e2, "value")).empty() &&
                              scalar(child(e2, "value")) != "0");
        if (!verify)
          sink.add(line_of(child(e, "value")), rule::kClientTcp,
                   who + " sets DOCKER_HOST=" + scalar(child(e, "value")) + " without DOCKER_TLS_VERIFY");
      }
}

void check_pod_spec(FindingSink& sink, const YAML::Node& spec, const std::string& owner) {
  if (!spec.IsMap()) return;
  check_true(sink, spec, "hostPID", rule::kHostPid, owner + " sets hostPID: true");
  check_true(sink, spec, "hostNetwork", rule::kHostNetwork, owner + " sets hostNetwork: true");
  check_true(sink, spec, "hostIPC", rule::kHostIpc, owner + " sets hostIPC: true");
  std::map<std::string, HostPathVolume> host_paths;
  YAML::Node volumes = child(spec, "volumes");
  if (volumes.IsSequence())
    for (const auto& v : volumes) {
      YAML::Node p = child(child(v, "hostPath"), "path");
      if (p) host_paths[scalar(child(v, "name"))] = {scalar(p), line_of(p)};
    }
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    YAML::Node cs = child(spec, list);
    if (!cs.IsSequence()) continue;
    for (const auto& c : cs)
      check_container(sink, c, owner + " " + std::string(list).substr(0, std::string(list).size() - 1) + " " +
                                   scalar(child(c, "name")),
                      host_paths);
  }
}

void check_object(FindingSink& file_sink, const YAML::Node& obj) {
  FindingSink sink(file_sink.file());
  PodSource p = pod_source(obj);
  check_pod_spec(sink, p.spec, object_name(obj));
  std::vector<Suppression> sups;
  for (const auto& md : p.metadata) {
    YAML::Node a = child(child(md, "annotations"), kAllowAnnotation);
    if (!a) continue;
    auto more = annotation_suppressions(scalar(a), line_of(a), 0, INT_MAX);
    sups.insert(sups.end(), more.begin(), more.end());
  }
  apply_suppressions(sink.findings(), sups, sink);
  for (auto& f : sink.findings()) file_sink.findings().push_back(std::move(f));
}

}  // namespace

bool is_kubernetes_object(const YAML::Node& doc) {
  return doc.IsMap() && child(doc, "apiVersion") && child(doc, "kind");
}

void check_kubernetes_object(FindingSink& sink, const YAML::Node& doc) {
  std::string kind = scalar(child(doc, "kind"));
  if (kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0) {  // List, PodList, ...
    YAML::Node items = child(doc, "items");
    if (items.IsSequence())
      for (const auto& item : items) check_object(sink, item);
    return;
  }
  check_object(sink, doc);
}

}  // namespace sockwarden::lint
