#include "format/request_fields.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace sockwarden {
namespace {

// The distinct risk flag names in first-seen order: a set, not a scan, so
// that thousands of flags from a hostile body stay linear.
template <typename Flags>
void write_distinct_names(JsonWriter& w, const Flags& flags) {
  std::unordered_set<std::string_view> seen;
  w.begin_array();
  for (const auto& f : flags)
    if (seen.insert(f.name).second) w.string(f.name);
  w.end_array();
}

// ("pid", "host"), ... as an object sorted by key; a key given twice keeps
// its last value.
void write_namespaces(JsonWriter& w, const std::vector<std::pair<std::string, std::string>>& ns) {
  // The keys are the agent's own names ("pid", "network", ...): valid UTF-8.
  std::vector<std::pair<std::string_view, const std::string*>> members;
  members.reserve(ns.size());
  for (const auto& [kind, mode] : ns) members.emplace_back(kind, &mode);
  w.sorted_object(members, [&](const std::string* mode) { w.string(*mode); });
}

// sockwarden.request.effect: what the daemon did (agent/request_effects).
void write_effect(JsonWriter& w, const RequestEffect& f) {
  const bool verified = f.status == "verified";
  w.begin_object();
  // A plugin runs as a container dockerd configures: the same privilege fields.
  const bool privileges = f.container || f.plugin;
  if (privileges) {
    w.key("capabilities");
    w.string_array(f.capabilities);
  }
  w.member_if("container_id", f.container_id);
  if (privileges) {
    w.key("devices");
    w.string_array(f.devices);
  }
  w.member_if("exec_id", f.exec_id);
  if (privileges) {
    w.key("host_mounts");
    w.string_array(f.host_mounts);
  }
  if (f.image) {
    w.key("images");
    w.begin_array();
    for (const auto& c : f.images) {
      w.begin_object();
      w.member("image_id", c.image_id);
      w.member_if("namespace", c.ns);
      w.member_if("previous", c.previous);
      w.member("ref", c.ref);
      w.end_object();
    }
    w.end_array();
  }
  if (verified) {
    w.key("mismatch");
    w.string_array(f.mismatch);
  }
  if (privileges) {
    w.key("namespaces");
    write_namespaces(w, f.namespaces);
  }
  if (f.plugin) {
    w.key("plugin");
    w.begin_object();
    w.member_bool("enabled", f.plugin_enabled);
    w.member("id", f.plugin_id);
    w.member("name", f.plugin_name);
    w.end_object();
  }
  if (privileges) w.member_bool("privileged", f.privileged);
  if (f.exec) {
    w.key("process");
    w.begin_object();
    w.member_if("cap_effective", f.cap_effective);
    w.key("command");
    w.string_array(f.command);
    if (f.euid != UINT32_MAX) w.member("euid", f.euid);
    if (f.pid) w.member("pid", f.pid);
    w.member_bool("privileged", f.exec_privileged);
    if (f.uid != UINT32_MAX) w.member("uid", f.uid);
    w.end_object();
  }
  w.member_if("reason", f.reason);
  if (verified) {
    w.key("risk_flags");
    write_distinct_names(w, f.risk);
  }
  if (f.container) {
    w.key("security_options");
    w.string_array(f.security_options);
  }
  w.member_if("source", f.source);
  w.member("status", f.status);
  w.end_object();
}

}  // namespace

void write_http_member(JsonWriter& w, const Event& e) {
  if (!e.request) return;
  const DecodedRequest& r = *e.request;
  w.key("http");
  w.begin_object();
  w.key("request");
  w.begin_object();
  w.key("body");
  w.begin_object();
  w.member("bytes", r.body_bytes);
  w.end_object();
  w.member("method", r.method);
  w.end_object();
  if (r.status_code) {
    w.key("response");
    w.begin_object();
    w.member("status_code", *r.status_code);
    w.end_object();
  }
  if (r.protocol == "http/1.1") w.member("version", "1.1");
  else if (r.protocol == "http/1.0") w.member("version", "1.0");
  else if (r.protocol == "http/2") w.member("version", "2");
  w.end_object();
}

void write_url_member(JsonWriter& w, const Event& e) {
  if (!e.request) return;
  const DecodedRequest& r = *e.request;
  w.key("url");
  w.begin_object();
  // As sent (API version included), with the redacted query.
  std::string_view target(r.target);
  std::string original(target.substr(0, target.find('?')));
  if (!r.query.empty()) original += "?" + r.query;
  w.member("original", original);
  w.member("path", r.path);
  w.member_if("query", r.query);
  w.end_object();
}

void write_user_agent_member(JsonWriter& w, const Event& e) {
  if (!e.request || e.request->user_agent.empty()) return;
  w.key("user_agent");
  w.begin_object();
  w.member("original", e.request->user_agent);
  w.end_object();
}

void write_request_member(JsonWriter& w, const Event& e) {
  if (!e.request) return;
  const DecodedRequest& r = *e.request;
  w.key("request");
  w.begin_object();
  if (!r.anomalies.empty()) {
    w.key("anomalies");
    w.string_array(r.anomalies);
  }
  w.member_if("api_version", r.api_version);
  if (r.chunked) w.member_bool("chunked", true);
  if (r.content_length) w.member("content_length", *r.content_length);
  if (r.effect) {
    w.key("effect");
    write_effect(w, *r.effect);
  }
  if (!r.grpc_service.empty()) {
    w.key("grpc");
    w.begin_object();
    w.member_if("containerd_namespace", r.containerd_namespace);
    w.member("method", r.grpc_method);
    w.member("service", r.grpc_service);
    w.end_object();
  }
  bool any_host_mount = false;
  for (const auto& f : r.risk) any_host_mount = any_host_mount || f.name == "host-mount";
  if (any_host_mount) {
    w.key("host_mounts");
    w.begin_array();
    for (const auto& f : r.risk)
      if (f.name == "host-mount") w.string(f.detail);
    w.end_array();
  }
  w.member("operation", r.operation);
  w.member("protocol", r.protocol);
  w.key("risk");
  w.begin_array();
  for (const auto& f : r.risk) {
    w.begin_object();
    w.member_if("detail", f.detail);
    w.member("flag", f.name);
    w.end_object();
  }
  w.end_array();
  w.key("risk_flags");
  write_distinct_names(w, r.risk);
  w.member("severity", e.severity);
  if (!r.summary.empty()) {
    w.key("summary");
    w.value(r.summary);
  }
  w.member_bool("truncated", r.truncated);
  w.member_bool("unparsed_body", r.unparsed_body);
  w.end_object();
}

std::string request_brief(const Event& e) {
  if (!e.request) return {};
  const DecodedRequest& r = *e.request;
  std::string s = r.method.empty() ? std::string("?") : r.method;
  s += " " + (r.path.empty() ? r.target : r.path);
  if (r.status_code) s += " " + std::to_string(*r.status_code);
  std::string flags;
  for (const auto& f : r.risk) {
    flags += flags.empty() ? "" : ",";
    flags += f.name;
    if (!f.detail.empty() && f.name != "recon" && f.name != "swarm-access") flags += ":" + f.detail;
  }
  if (!flags.empty()) s += " " + flags;
  if (!e.severity.empty() && e.severity != "none") s += " (" + e.severity + ")";
  return s;
}

}  // namespace sockwarden
