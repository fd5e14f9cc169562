#include "format/request_fields.h"

#include <unordered_set>

namespace sockwarden {
namespace {

// sockwarden.request.effect: what the daemon did (agent/request_effects).
nlohmann::json effect_json(const RequestEffect& f) {
  using nlohmann::json;
  json o{{"status", f.status}};
  if (!f.reason.empty()) o["reason"] = f.reason;
  if (!f.source.empty()) o["source"] = f.source;
  if (!f.container_id.empty()) o["container_id"] = f.container_id;
  if (!f.exec_id.empty()) o["exec_id"] = f.exec_id;
  if (f.container) {
    o["privileged"] = f.privileged;
    o["host_mounts"] = f.host_mounts;
    o["capabilities"] = f.capabilities;
    o["devices"] = f.devices;
    json ns = json::object();
    for (const auto& [k, v] : f.namespaces) ns[k] = v;
    o["namespaces"] = std::move(ns);
    o["security_options"] = f.security_options;
  }
  if (f.exec) {
    json p{{"command", f.command}, {"privileged", f.exec_privileged}};
    if (f.pid) p["pid"] = f.pid;
    if (f.uid != UINT32_MAX) p["uid"] = f.uid;
    if (f.euid != UINT32_MAX) p["euid"] = f.euid;
    if (!f.cap_effective.empty()) p["cap_effective"] = f.cap_effective;
    o["process"] = std::move(p);
  }
  if (f.image) {
    json imgs = json::array();
    for (const auto& c : f.images) {
      json i{{"ref", c.ref}, {"image_id", c.image_id}};
      if (!c.previous.empty()) i["previous"] = c.previous;
      imgs.push_back(std::move(i));
    }
    o["images"] = std::move(imgs);
  }
  if (f.status == "verified") {
    json flags = json::array();
    std::unordered_set<std::string> seen;
    for (const auto& r : f.risk)
      if (seen.insert(r.name).second) flags.push_back(r.name);
    o["risk_flags"] = std::move(flags);
    o["mismatch"] = f.mismatch;
  }
  return o;
}

}  // namespace

void add_request_fields(nlohmann::json& j, const Event& e) {
  using nlohmann::json;
  if (!e.request) return;
  const DecodedRequest& r = *e.request;
  j["event"]["severity"] = e.severity_score;
  j["event"]["dataset"] = "sockwarden.request";
  json http{{"request", {{"method", r.method}, {"body", {{"bytes", r.body_bytes}}}}}};
  if (r.protocol == "http/1.1") http["version"] = "1.1";
  else if (r.protocol == "http/1.0") http["version"] = "1.0";
  else if (r.protocol == "http/2") http["version"] = "2";
  if (r.status_code) http["response"] = {{"status_code", *r.status_code}};
  j["http"] = std::move(http);
  json url{{"path", r.path}};
  if (!r.query.empty()) url["query"] = r.query;
  // As sent (API version included), with the redacted query.
  std::string original = r.target.substr(0, r.target.find('?'));
  if (!r.query.empty()) original += "?" + r.query;
  url["original"] = original;
  j["url"] = std::move(url);
  if (!r.user_agent.empty()) j["user_agent"] = {{"original", r.user_agent}};

  json risk_flags = json::array(), risk = json::array(), host_mounts = json::array();
  std::unordered_set<std::string> flag_seen;  // a set, not a scan: thousands of flags stay linear
  for (const auto& f : r.risk) {
    if (flag_seen.insert(f.name).second) risk_flags.push_back(f.name);
    json item{{"flag", f.name}};
    if (!f.detail.empty()) item["detail"] = f.detail;
    risk.push_back(std::move(item));
    if (f.name == "host-mount") host_mounts.push_back(f.detail);
  }
  json req{
      {"protocol", r.protocol},
      {"operation", r.operation},
      {"severity", e.severity},
      {"risk_flags", std::move(risk_flags)},
      {"risk", std::move(risk)},
      {"truncated", r.truncated},
      {"unparsed_body", r.unparsed_body},
  };
  if (!r.api_version.empty()) req["api_version"] = r.api_version;
  if (r.content_length) req["content_length"] = *r.content_length;
  if (r.chunked) req["chunked"] = true;
  if (!host_mounts.empty()) req["host_mounts"] = std::move(host_mounts);
  if (!r.summary.empty()) req["summary"] = json(r.summary);
  if (!r.anomalies.empty()) req["anomalies"] = r.anomalies;
  if (!r.grpc_service.empty()) {
    json g{{"service", r.grpc_service}, {"method", r.grpc_method}};
    if (!r.containerd_namespace.empty()) g["containerd_namespace"] = r.containerd_namespace;
    req["grpc"] = std::move(g);
  }
  if (r.effect) req["effect"] = effect_json(*r.effect);
  auto& sw = j["sockwarden"];
  sw.erase("payload");
  sw.erase("payload_captured");
  sw.erase("result");
  sw["bytes"] = r.body_bytes;
  sw["request"] = std::move(req);
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
