#include "decode/docker_create_summary.h"

#include "decode/docker_api_routes.h"
#include "decode/risk_flags.h"

namespace sockwarden {

Json env_names(const Json& env) {
  Json out = Json::array();
  if (env.is_array()) {
    for (const auto& e : env)
      if (e.is_string()) out.push_back(e.get<std::string>().substr(0, e.get<std::string>().find('=')));
  } else if (env.is_object()) {  // libpod: {"NAME": "value"}
    for (auto it = env.begin(); it != env.end(); ++it) out.push_back(it.key());
  }
  return out;
}

namespace {

bool ieq(std::string_view a, std::string_view b) { return json_key_eq(a, b); }

void copy_if(Json& summary, const char* name, const Json& obj, std::string_view key) {
  if (const Json* v = json_member(obj, key); v && !v->is_null()) summary[name] = *v;
}

// A namespace mode of "host" in any spelling (Docker "PidMode":"host", libpod {"nsmode":"host"}).
bool ns_host(const Json& obj, std::string_view key) {
  for (const Json* v : json_members(obj, key)) {
    if (v->is_string() && ieq(v->get<std::string>(), "host")) return true;
    if (v->is_object())
      for (const Json* m : json_members(*v, "nsmode"))
        if (m->is_string() && ieq(m->get<std::string>(), "host")) return true;
  }
  return false;
}

void binds(DecodedRequest& r, const Json& host, Json& mounts) {
  for (const auto& b : json_strings(host, "Binds")) {
    // "src:dst[:opts]"; a src without a leading '/' is a named volume.
    auto colon = b.find(':');
    std::string src = b.substr(0, colon);
    std::string dst = colon == std::string::npos ? "" : b.substr(colon + 1);
    if (auto c2 = dst.find(':'); c2 != std::string::npos) dst.resize(c2);
    if (!src.empty() && src[0] == '/') {
      add_host_mount(r, src);
      mounts.push_back(Json{{"type", "bind"}, {"source", normalize_host_path(src)}, {"target", dst}});
    } else {
      mounts.push_back(Json{{"type", "volume"}, {"source", src}, {"target", dst}});
    }
  }
}

void mount_list(DecodedRequest& r, const Json& obj, std::string_view key, Json& mounts) {
  for (const Json* list : json_members(obj, key)) {
    if (!list->is_array()) continue;
    for (const auto& m : *list) {
      if (!m.is_object()) continue;
      std::string type, src, dst;
      if (const Json* t = json_member(m, "Type"); t && t->is_string()) type = t->get<std::string>();
      if (const Json* s = json_member(m, "Source"); s && s->is_string()) src = s->get<std::string>();
      for (const char* k : {"Target", "Destination"})
        if (const Json* d = json_member(m, k); d && d->is_string()) dst = d->get<std::string>();
      // A "local" volume with o=bind,device=/path is a bind mount of /path in disguise.
      std::string device;
      if (const Json* vo = json_member(m, "VolumeOptions"))
        if (const Json* dc = json_member(*vo, "DriverConfig"))
          if (const Json* opts = json_member(*dc, "Options"); opts && opts->is_object()) {
            const Json* o = json_member(*opts, "o");
            const Json* dev = json_member(*opts, "device");
            if (o && o->is_string() && o->get<std::string>().find("bind") != std::string::npos && dev &&
                dev->is_string())
              device = dev->get<std::string>();
          }
      bool bind = ieq(type, "bind") || (type.empty() && !src.empty() && src[0] == '/');
      if (bind && !src.empty()) {
        add_host_mount(r, src);
        mounts.push_back(Json{{"type", "bind"}, {"source", normalize_host_path(src)}, {"target", dst}});
      } else if (!device.empty() && device[0] == '/') {
        add_host_mount(r, device);
        mounts.push_back(Json{{"type", "volume-bind"}, {"source", normalize_host_path(device)}, {"target", dst}});
      } else {
        mounts.push_back(Json{{"type", type}, {"source", src}, {"target", dst}});
      }
    }
  }
}

void devices(DecodedRequest& r, const Json& obj, Json& out) {
  for (const Json* list : json_members(obj, "Devices")) {
    if (!list->is_array()) continue;
    for (const auto& d : *list) {
      std::string path;
      if (d.is_string()) path = d.get<std::string>().substr(0, d.get<std::string>().find(':'));
      else if (const Json* p = json_member(d, "PathOnHost"); p && p->is_string()) path = p->get<std::string>();
      else if (const Json* p2 = json_member(d, "path"); p2 && p2->is_string()) path = p2->get<std::string>();
      if (path.empty()) continue;
      r.add_risk(risk::kDevice, path);
      out.push_back(path);
    }
  }
  for (const auto& rule : json_strings(obj, "DeviceCgroupRules")) {
    r.add_risk(risk::kDevice, "cgroup-rule:" + rule);
    out.push_back("cgroup-rule:" + rule);
  }
}

void security_opts(DecodedRequest& r, const Json& host) {
  for (const auto& o : json_strings(host, "SecurityOpt")) {
    std::string k = o, v;
    if (auto p = o.find_first_of("=:"); p != std::string::npos) {
      k = o.substr(0, p);
      v = o.substr(p + 1);
    }
    if ((ieq(k, "seccomp") || ieq(k, "apparmor") || ieq(k, "systempaths")) && ieq(v, "unconfined"))
      r.add_risk(risk::kSecurityUnconfined, k + "=unconfined");
    if (ieq(k, "label") && ieq(v, "disable")) r.add_risk(risk::kSecurityUnconfined, "label=disable");
  }
  // libpod spellings
  for (const char* key : {"seccomp_profile_path", "apparmor_profile"})
    for (const auto& v : json_strings(host, key))
      if (ieq(v, "unconfined")) r.add_risk(risk::kSecurityUnconfined, std::string(key) + "=unconfined");
}

}  // namespace

void summarize_docker_create(DecodedRequest& r, const Json& body) {
  Json& s = r.summary;
  std::string name = query_param(r.query, "name");
  if (!name.empty()) s["name"] = name;
  copy_if(s, "image", body, "Image");
  copy_if(s, "command", body, "Cmd");
  copy_if(s, "command", body, "command");  // libpod
  copy_if(s, "entrypoint", body, "Entrypoint");
  copy_if(s, "user", body, "User");
  if (const Json* env = json_member(body, "Env")) s["env"] = env_names(*env);
  // Docker nests host settings in HostConfig; libpod's SpecGenerator keeps them at the top.
  std::vector<const Json*> scopes{&body};
  for (const Json* h : json_members(body, "HostConfig"))
    if (h->is_object()) scopes.push_back(h);
  Json mounts = Json::array(), devs = Json::array(), caps = Json::array();
  for (const Json* h : scopes) {
    if (json_any_true(*h, "Privileged")) r.add_risk(risk::kPrivileged);
    binds(r, *h, mounts);
    mount_list(r, *h, "Mounts", mounts);
    if (ns_host(*h, "PidMode") || ns_host(*h, "pidns")) r.add_risk(risk::kHostPid);
    if (ns_host(*h, "NetworkMode") || ns_host(*h, "netns")) r.add_risk(risk::kHostNetwork);
    if (ns_host(*h, "IpcMode") || ns_host(*h, "ipcns")) r.add_risk(risk::kHostIpc);
    if (ns_host(*h, "UTSMode") || ns_host(*h, "utsns")) r.add_risk(risk::kHostUts);
    if (ns_host(*h, "UsernsMode") || ns_host(*h, "userns")) r.add_risk(risk::kUsernsHost);
    for (const char* key : {"CapAdd", "cap_add"})
      for (const auto& c : json_strings(*h, key)) {
        std::string n = normalize_cap(c);
        r.add_risk(risk::kCapAdd, n);
        caps.push_back(n);
      }
    devices(r, *h, devs);
    security_opts(r, *h);
    for (const char* key : {"PidMode", "NetworkMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode"})
      if (h != &body)
        if (const Json* v = json_member(*h, key); v && v->is_string() && !v->get<std::string>().empty())
          s["namespaces"][key] = *v;
  }
  if (r.has_risk(risk::kPrivileged)) s["privileged"] = true;
  if (!mounts.empty()) s["mounts"] = std::move(mounts);
  if (!caps.empty()) s["cap_add"] = std::move(caps);
  if (!devs.empty()) s["devices"] = std::move(devs);
}

}  // namespace sockwarden
