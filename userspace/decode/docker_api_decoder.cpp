#include "decode/docker_api_decoder.h"

#include "decode/docker_api_routes.h"
#include "decode/docker_create_summary.h"
#include "decode/docker_exec_summary.h"
#include "decode/docker_plugin_summary.h"
#include "decode/json_ci.h"
#include "decode/risk_flags.h"

namespace sockwarden {
namespace {

// buildargs={"TOKEN":"..."} and similar carry secrets in the query: keep the keys only.
std::string redact_query(const std::string& query) {
  static constexpr const char* kSecretKeys[] = {"buildargs", "registryconfig", "authconfig", "password"};
  std::string out;
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string kv = query.substr(i, amp - i);
    size_t eq = kv.find('=');
    std::string key = percent_decode(kv.substr(0, eq));
    for (const char* s : kSecretKeys)
      if (json_key_eq(key, s) && eq != std::string::npos) {
        kv = kv.substr(0, eq + 1) + "[REDACTED]";
        break;
      }
    if (!out.empty() || i > 0) out += (i > 0 ? "&" : "");
    out += kv;
    i = amp + 1;
  }
  return out;
}

// Operations whose body is decoded: an undecodable body there is a finding.
bool body_matters(const std::string& op) {
  return op == "container-create" || op == "exec-create" || op == "exec-start" || op == "plugin-install";
}

}  // namespace

void decode_docker_request(DecodedRequest& r) {
  if (r.method.empty()) {
    if (r.unparsed_body) r.add_risk(risk::kUnparsedBody);
    r.body.clear();
    return;  // an unparseable request line: already flagged by the parser
  }
  const std::string op = docker_operation(r.method, r.path);
  r.operation = op;
  Json body;
  bool have_body = r.body_bytes > 0 || !r.body.empty();
  bool body_ok = false;
  if (have_body && body_matters(op) && !r.truncated) {
    body = parse_json_body(r.body);
    body_ok = body.is_object() || body.is_array();
    // Refused before parsing (see json_depth.h): say why, a reader would suspect a hidden body.
    if (!body_ok && !json_depth_within(r.body)) r.add_anomaly("json-too-deep");
  }
  if (body_matters(op) && have_body && !body_ok) r.unparsed_body = true;
  if (body_matters(op) && !have_body && (op == "container-create" || op == "exec-create")) {
    // A create without a body: the daemon refuses it, or something hid the body.
    r.add_anomaly("missing-body");
  }
  const Json empty = Json::object();
  const Json& b = body_ok ? body : empty;

  if (op == "container-create") {
    summarize_docker_create(r, b);
  } else if (op == "exec-create") {
    summarize_exec_create(r, b);
  } else if (op == "exec-start") {
    summarize_exec_start(r, b);
  } else if (op == "image-pull") {
    std::string image = query_param(r.query, "fromImage");
    if (image.empty()) image = query_param(r.query, "reference");  // libpod
    std::string tag = query_param(r.query, "tag");
    std::string src = query_param(r.query, "fromSrc");
    if (!src.empty()) {
      r.summary["from_src"] = src;  // "-": an image imported from the body; a URL otherwise
      if (image.empty()) image = query_param(r.query, "repo");  // the import's name
    }
    if (!image.empty() && !tag.empty()) image += (tag.rfind("sha256:", 0) == 0 ? "@" : ":") + tag;
    r.summary["image"] = image;
    r.add_risk(risk::kImagePull, image);
  } else if (op == "image-build") {
    for (const char* k : {"t", "remote", "dockerfile"}) {
      auto v = query_param(r.query, k);
      if (!v.empty()) r.summary[k] = v;
    }
    // Every name the build is to be tagged with (`-t a -t b`): what its effect is judged against.
    auto tags = query_params(r.query, "t");
    if (tags.size() > 1) r.summary["tags"] = tags;
    r.add_risk(risk::kImageBuild);
  } else if (op == "image-load") {
    r.add_risk(risk::kImagePull, "load");
  } else if (op == "image-tag") {
    std::string repo = query_param(r.query, "repo"), tag = query_param(r.query, "tag");
    // "/images/{name}/tag" (or "/libpod/images/{name}/tag"); the name may hold '/'.
    size_t from = r.path.find("/images/") + 8, to = r.path.rfind("/tag");
    r.summary["image"] = to > from ? r.path.substr(from, to - from) : std::string();
    r.summary["repo"] = repo;
    if (!tag.empty()) r.summary["tag"] = tag;
    r.add_risk(risk::kImageTag, tag.empty() ? repo : repo + ":" + tag);
  } else if (op == "archive-upload") {
    std::string path = query_param(r.query, "path");
    r.summary["path"] = path;
    r.add_risk(risk::kArchiveUpload, path);
  } else if (op == "archive-download" || op == "container-inspect" || op == "container-logs" ||
             op == "container-export") {
    r.add_risk(risk::kRecon, op);
    if (op == "archive-download") r.summary["path"] = query_param(r.query, "path");
  } else if (op == "plugin-install") {
    summarize_plugin_request(r, b, body_ok);  // the privileges a pull accepted, a set's settings
  } else if (op == "swarm" || op == "secret" || op == "config") {
    r.add_risk(risk::kSwarmAccess, op);
  }
  if (r.unparsed_body) r.add_risk(risk::kUnparsedBody);
  r.query = redact_query(r.query);
  r.body.clear();
  r.body.shrink_to_fit();
}

}  // namespace sockwarden
