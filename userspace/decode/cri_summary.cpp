#include "decode/cri_summary.h"

#include <algorithm>
#include <array>

#include "decode/containerd_exec_summary.h"
#include "decode/docker_create_summary.h"
#include "decode/protobuf_wire.h"
#include "decode/risk_flags.h"

namespace sockwarden {
namespace {

constexpr uint64_t kNamespaceNode = 2;  // CRI NamespaceMode NODE: the host's namespace
constexpr uint64_t kProfileUnconfined = 1;  // CRI SecurityProfile.ProfileType Unconfined

std::string str(std::string_view v) { return std::string(v.substr(0, 4096)); }

Json strings(std::string_view msg, uint32_t n) {
  Json out = Json::array();
  for (auto v : pb_all(msg, n)) out.push_back(str(v));
  return out;
}

void namespace_options(DecodedRequest& r, std::string_view ns) {
  if (ns.empty()) return;
  if (pb_varint(ns, 1) == kNamespaceNode) r.add_risk(risk::kHostNetwork);
  if (pb_varint(ns, 2) == kNamespaceNode) r.add_risk(risk::kHostPid);
  if (pb_varint(ns, 3) == kNamespaceNode) r.add_risk(risk::kHostIpc);
}

// LinuxContainerSecurityContext
void container_security(DecodedRequest& r, std::string_view sc) {
  if (sc.empty()) return;
  Json caps = Json::array();
  for (auto c : pb_all(pb_bytes(sc, 1), 1)) {
    std::string n = normalize_cap(c);
    r.add_risk(risk::kCapAdd, n);
    caps.push_back(n);
  }
  if (!caps.empty()) r.summary["cap_add"] = caps;
  if (pb_varint(sc, 2)) {
    r.add_risk(risk::kPrivileged);
    r.summary["privileged"] = true;
  }
  namespace_options(r, pb_bytes(sc, 3));
  if (pb_bytes(sc, 9) == "unconfined") r.add_risk(risk::kSecurityUnconfined, "apparmor=unconfined");
  if (pb_bytes(sc, 10) == "unconfined") r.add_risk(risk::kSecurityUnconfined, "seccomp=unconfined");
  if (pb_has(sc, 15) && pb_varint(pb_bytes(sc, 15), 1) == kProfileUnconfined)
    r.add_risk(risk::kSecurityUnconfined, "seccomp=unconfined");
  if (pb_has(sc, 16) && pb_varint(pb_bytes(sc, 16), 1) == kProfileUnconfined)
    r.add_risk(risk::kSecurityUnconfined, "apparmor=unconfined");
}

// ContainerConfig (CRI CreateContainer)
void container_config(DecodedRequest& r, std::string_view cfg) {
  Json& s = r.summary;
  if (auto md = pb_bytes(cfg, 1); !md.empty()) s["name"] = str(pb_bytes(md, 1));
  if (auto img = pb_bytes(cfg, 2); !img.empty()) s["image"] = str(pb_bytes(img, 1));
  Json cmd = strings(cfg, 3);
  for (auto& a : strings(cfg, 4)) cmd.push_back(a);
  if (!cmd.empty()) s["command"] = cmd;
  Json env = Json::array();
  for (auto kv : pb_all(cfg, 6)) env.push_back(str(pb_bytes(kv, 1)));  // names only: values are secrets
  if (!env.empty()) s["env"] = env;
  Json mounts = Json::array();
  for (auto m : pb_all(cfg, 7)) {
    std::string host(pb_bytes(m, 2));
    if (host.empty()) continue;
    add_host_mount(r, host);
    mounts.push_back(Json{{"type", "bind"}, {"source", normalize_host_path(host)}, {"target", str(pb_bytes(m, 1))}});
  }
  if (!mounts.empty()) s["mounts"] = mounts;
  Json devs = Json::array();
  for (auto d : pb_all(cfg, 8)) {
    std::string host(pb_bytes(d, 2));
    if (host.empty()) continue;
    r.add_risk(risk::kDevice, host);
    devs.push_back(host);
  }
  if (!devs.empty()) s["devices"] = devs;
  container_security(r, pb_bytes(pb_bytes(cfg, 15), 2));
}

// PodSandboxConfig (CRI RunPodSandbox): host namespaces and privilege are set on the pod.
void sandbox_config(DecodedRequest& r, std::string_view cfg) {
  if (auto md = pb_bytes(cfg, 1); !md.empty()) {
    r.summary["pod"] = str(pb_bytes(md, 1));
    r.summary["pod_namespace"] = str(pb_bytes(md, 3));
  }
  auto sc = pb_bytes(pb_bytes(cfg, 8), 2);  // linux.security_context
  namespace_options(r, pb_bytes(sc, 1));
  if (pb_varint(sc, 6)) {
    r.add_risk(risk::kPrivileged);
    r.summary["privileged"] = true;
  }
}

// google.protobuf.Any carrying JSON (containerd registers OCI types as JSON).
Json any_json(std::string_view any) {
  auto value = pb_bytes(any, 2);
  return parse_json_body(value);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

void summarize_oci_spec(DecodedRequest& r, const Json& spec) {
  if (!spec.is_object()) {
    r.unparsed_body = true;
    return;
  }
  Json& s = r.summary;
  // An exec's spec is a bare process; a container's spec has "process" inside.
  const Json* process = json_member(spec, "process");
  const Json& proc = process ? *process : spec;
  if (const Json* args = json_member(proc, "args"); args && args->is_array()) s["command"] = *args;
  if (const Json* user = json_member(proc, "user"); user && user->is_object())
    if (const Json* uid = json_member(*user, "uid"); uid && uid->is_number()) s["user"] = std::to_string(uid->get<int64_t>());
  if (const Json* env = json_member(proc, "env")) s["env"] = env_names(*env);
  size_t ncaps = 0;
  Json added = Json::array();
  if (const Json* caps = json_member(proc, "capabilities"); caps && caps->is_object())
    for (const auto& c : json_strings(*caps, "bounding")) {
      ncaps++;
      std::string n = normalize_cap(c);
      if (!cap_is_default(n)) {  // anything beyond Docker's default set was added
        added.push_back(n);
        r.add_risk(risk::kCapAdd, n);
      }
    }
  if (!added.empty()) s["cap_add"] = added;
  for (const auto& p : json_strings(proc, "apparmorProfile"))
    if (p == "unconfined") r.add_risk(risk::kSecurityUnconfined, "apparmor=unconfined");
  Json mounts = Json::array();
  if (const Json* ms = json_member(spec, "mounts"); ms && ms->is_array())
    for (const auto& m : *ms) {
      std::string type, src, dst;
      if (const Json* v = json_member(m, "type"); v && v->is_string()) type = v->get<std::string>();
      if (const Json* v = json_member(m, "source"); v && v->is_string()) src = v->get<std::string>();
      if (const Json* v = json_member(m, "destination"); v && v->is_string()) dst = v->get<std::string>();
      auto opts = json_strings(m, "options");
      bool bind = type == "bind" || std::find(opts.begin(), opts.end(), "bind") != opts.end() ||
                  std::find(opts.begin(), opts.end(), "rbind") != opts.end();
      if (bind && !src.empty() && src[0] == '/') {
        add_host_mount(r, src);
        mounts.push_back(Json{{"type", "bind"}, {"source", normalize_host_path(src)}, {"target", dst}});
      }
    }
  if (!mounts.empty()) s["mounts"] = mounts;
  if (const Json* lnx = json_member(spec, "linux"); lnx && lnx->is_object()) {
    std::vector<std::string> ns;
    if (const Json* nss = json_member(*lnx, "namespaces"); nss && nss->is_array())
      for (const auto& n : *nss)
        if (const Json* t = json_member(n, "type"); t && t->is_string()) {
          // A namespace joined by path is shared with something else: not a new one.
          if (!json_member(n, "path")) ns.push_back(t->get<std::string>());
        }
    auto lacks = [&](const char* t) { return std::find(ns.begin(), ns.end(), t) == ns.end(); };
    if (lacks("pid")) r.add_risk(risk::kHostPid);
    if (lacks("network")) r.add_risk(risk::kHostNetwork);
    if (lacks("ipc")) r.add_risk(risk::kHostIpc);
    if (lacks("uts")) r.add_risk(risk::kHostUts);
    Json devs = Json::array();
    if (const Json* ds = json_member(*lnx, "devices"); ds && ds->is_array())
      for (const auto& d : *ds)
        if (const Json* p = json_member(d, "path"); p && p->is_string()) {
          r.add_risk(risk::kDevice, p->get<std::string>());
          devs.push_back(*p);
        }
    if (!devs.empty()) s["devices"] = devs;
    // runc's privileged shape: every capability and every device allowed.
    bool all_devices = false;
    if (const Json* res = json_member(*lnx, "resources"))
      if (const Json* dl = json_member(*res, "devices"); dl && dl->is_array())
        for (const auto& d : *dl)
          if (json_any_true(d, "allow") && !json_member(d, "type") && !json_member(d, "major")) all_devices = true;
    if (all_devices && ncaps >= 38) {
      r.add_risk(risk::kPrivileged);
      s["privileged"] = true;
    }
  }
}

void summarize_grpc_request(DecodedRequest& r, std::string_view msg, bool complete) {
  const std::string& svc = r.grpc_service;
  const std::string& m = r.grpc_method;
  bool cri_runtime = svc == "runtime.v1.RuntimeService" || svc == "runtime.v1alpha2.RuntimeService";
  bool cri_image = svc == "runtime.v1.ImageService" || svc == "runtime.v1alpha2.ImageService";
  r.operation = "grpc";
  // Fields are read from what arrived; a cut message may miss later fields.
  if (!complete) r.truncated = true;
  if (cri_runtime && m == "CreateContainer") {
    r.operation = "cri-create-container";
    r.summary["pod_sandbox_id"] = str(pb_bytes(msg, 1));
    // A config cut by the payload cap still gives its leading fields (the name): what its
    // effect is looked up by (agent/request_effects).
    container_config(r, complete ? pb_bytes(msg, 2) : pb_bytes_prefix(msg, 2));
    sandbox_config(r, pb_bytes(msg, 3));
  } else if (cri_runtime && m == "StartContainer") {
    r.operation = "cri-start-container";
    r.summary["container"] = str(pb_bytes(msg, 1));
  } else if (cri_runtime && m == "RunPodSandbox") {
    r.operation = "cri-run-pod-sandbox";
    sandbox_config(r, pb_bytes(msg, 1));
  } else if (cri_runtime && (m == "ExecSync" || m == "Exec" || m == "Attach")) {
    r.operation = m == "Attach" ? "cri-attach" : "cri-exec";
    r.summary["container"] = str(pb_bytes(msg, 1));
    if (m != "Attach") {
      r.summary["command"] = strings(msg, 2);
      r.add_risk(risk::kExec);
    }
  } else if (cri_image && m == "PullImage") {
    r.operation = "cri-pull-image";
    std::string image = str(pb_bytes(pb_bytes(msg, 1), 1));  // field 2 (auth) is never read
    r.summary["image"] = image;
    r.add_risk(risk::kImagePull, image);
  } else if (svc == "containerd.services.containers.v1.Containers" && m == "Create") {
    r.operation = "containerd-container-create";
    // A cut message (a spec over the payload cap) still names its container: the id
    // comes first in the Container message as clients encode it.
    auto c = complete ? pb_bytes(msg, 1) : pb_bytes_prefix(msg, 1);
    r.summary["container"] = str(pb_bytes(c, 1));
    r.summary["image"] = str(pb_bytes(c, 3));
    auto spec = pb_bytes(c, 5);
    if (!spec.empty()) {
      Json j = any_json(spec);
      if (j.is_discarded()) r.unparsed_body = true;
      else summarize_oci_spec(r, j);
    } else if (complete) {
      r.add_anomaly("no-spec");
    } else {
      r.unparsed_body = true;
    }
  } else if (svc == "containerd.services.tasks.v1.Tasks" && m == "Create") {
    r.operation = "containerd-task-create";
    r.summary["container"] = str(pb_bytes(msg, 1));
  } else if (svc == "containerd.services.tasks.v1.Tasks" && m == "Exec") {
    summarize_containerd_exec(r, msg, complete);
  } else if (svc == "containerd.services.tasks.v1.Tasks" && m == "Start") {
    summarize_containerd_exec_start(r, msg);  // a task's own start (no exec id) stays "grpc"
  } else if (ends_with(svc, ".Images") && m == "Create") {
    r.operation = "containerd-image-create";
    std::string image = str(pb_bytes(pb_bytes(msg, 1), 1));  // CreateImageRequest.image.name
    r.summary["image"] = image;
    r.add_risk(risk::kImagePull, image);
  } else if (ends_with(svc, ".Transfer") && m == "Transfer") {
    r.operation = "containerd-transfer";
    r.add_risk(risk::kImagePull);
  }
  if (r.unparsed_body) r.add_risk(risk::kUnparsedBody);
}

}  // namespace sockwarden
