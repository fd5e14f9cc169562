// One decoded client request (Docker Engine API over HTTP/1.x, or a gRPC call
// over HTTP/2): what the decoders hand to the pipeline. No I/O, no BPF.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

namespace sockwarden {

// A risk flag with a stable name ("privileged", "host-mount", ...) and, where
// it has one, what it is about ("/", "SYS_ADMIN", "/dev/mem").
struct RiskFlag {
  std::string name;
  std::string detail;
  bool operator==(const RiskFlag&) const = default;
};

// An image reference that a request's effect pointed at an image it did not
// name before (agent/image_effects): "local/busybox:1" -> "sha256:...".
struct ImageRefChange {
  std::string ref;       // "local/busybox:1", "busybox@sha256:..."
  std::string image_id;  // "sha256:<64 hex>"
  std::string previous;  // the image it named before ("" for a new reference)
  std::string ns;        // containerd's namespace ("" for Docker's and podman's stores)
  bool operator==(const ImageRefChange&) const = default;
};

// What the daemon actually did for a request that changes what runs
// (agent/request_effects), read from ground truth the caller cannot shape:
// the runtime's state on disk, the kernel's exec records. Output as
// sockwarden.request.effect; the decoded body stays in `summary`/`risk`.
struct RequestEffect {
  std::string status;  // "verified" or "unknown"
  std::string reason;  // unknown: why ("refused", "not-found", "ambiguous", "queue-full", "agent-exit", ...)
  std::string source;  // "docker-state", "exec-record", "docker-image-state", ...
  std::string container_id;  // the container created/started/updated, or the one the exec ran in
  std::string exec_id;       // exec: the daemon's exec id (from its reply or the request path)
  // Container create/start/update: the effective configuration.
  bool privileged = false;
  std::vector<std::string> host_mounts;     // bind sources on the host, normalised
  std::vector<std::string> capabilities;    // added capabilities, normalised ("SYS_ADMIN")
  std::vector<std::string> devices;         // host devices
  std::vector<std::pair<std::string, std::string>> namespaces;  // ("pid", "host"), ...
  std::vector<std::string> security_options;
  // Exec: the process the runtime started in the container.
  std::vector<std::string> command;
  uint32_t pid = 0;
  uint32_t uid = UINT32_MAX, euid = UINT32_MAX;  // UINT32_MAX: unknown
  bool exec_privileged = false;   // its effective capabilities include CAP_SYS_ADMIN
  std::string cap_effective;      // CapEff as /proc/PID/status prints it, from the exec record
  // Image pull/load/build/import/tag: the references the image store changed.
  std::vector<ImageRefChange> images;
  // Plugin install/create/enable/set/upgrade: the plugin in dockerd's plugin store (its
  // privileges fill privileged, host_mounts, capabilities, devices, namespaces).
  std::string plugin_id, plugin_name;
  bool plugin_enabled = false;
  bool container = false;         // which of the kinds is filled
  bool exec = false;
  bool image = false;
  bool plugin = false;
  // The effect's own risk flags (the request's risk holds both readings).
  std::vector<RiskFlag> risk;
  // What the daemon did that the decoded body did not say (each also an
  // `effect-mismatch` risk flag): "privileged", "host-mount:/", "command", "unread-command".
  std::vector<std::string> mismatch;

  // An effect that could not be established, and why.
  static RequestEffect unknown(std::string why) {
    RequestEffect e;
    e.status = "unknown";
    e.reason = std::move(why);
    return e;
  }
};

struct DecodedRequest {
  std::string protocol;     // "http/1.1", "http/1.0", "http/2"
  std::string method;       // "POST"
  std::string target;       // request target as sent: "/v1.50/containers/create?name=x"
  std::string path;         // without the API version: "/containers/create"
  std::string query;        // without '?': "name=x" (secrets in it redacted)
  std::string api_version;  // "1.50" ("" when the path has none)
  std::string user_agent;
  std::optional<uint64_t> content_length;  // as declared (Content-Length), if any
  bool chunked = false;
  uint64_t body_bytes = 0;  // body bytes seen on the wire (after de-chunking)
  std::string body;         // captured body, at most the request budget (not output as is)
  bool truncated = false;   // budget hit or bytes missing in capture: body incomplete
  bool unparsed_body = false;  // a body exists (or may) that could not be decoded
  std::vector<std::string> anomalies;  // parser disagreements worth a look: "length-mismatch", ...
  // Filled by the API decoders:
  std::string operation;    // "container-create", "exec-start", "grpc", ...
  nlohmann::ordered_json summary = nlohmann::ordered_json::object();
  std::vector<RiskFlag> risk;
  // gRPC only
  std::string grpc_service, grpc_method, containerd_namespace;
  // Set by the reply matcher when the daemon's answer on the connection was seen.
  std::optional<int> status_code;
  // The id in the daemon's reply body ({"Id":"<64 hex>"}: container create, exec create), if captured.
  std::string reply_id;
  // What the daemon did (agent/request_effects), for requests that change what runs.
  std::optional<RequestEffect> effect;
  // Opaque token of the write that carried the request's first byte (the pipeline
  // uses it to attribute the request to that write's caller).
  uint64_t origin = 0;
  uint64_t connection = 0;  // the connection id it was decoded from (set by the reassembler)

  // A string the decoder put in its summary ("container", "exec_id", "image", ...), "" if none.
  std::string summary_string(const char* key) const {
    auto it = summary.find(key);
    return it != summary.end() && it->is_string() ? it->get<std::string>() : std::string();
  }

  bool has_risk(const std::string& name) const {
    for (const auto& r : risk)
      if (r.name == name) return true;
    return false;
  }
  // De-duplicated through a hash index, not a scan: a hostile body with
  // thousands of binds or devices would make a scan per flag quadratic.
  void add_risk(std::string name, std::string detail = {}) {
    sync_index(risk_index_, risk_indexed_, risk, [](const RiskFlag& f) { return risk_key(f); });
    RiskFlag f{std::move(name), std::move(detail)};
    if (!risk_index_.insert(risk_key(f)).second) return;
    risk.push_back(std::move(f));
    risk_indexed_ = risk.size();
  }
  void add_anomaly(const std::string& a) {
    sync_index(anomaly_index_, anomalies_indexed_, anomalies, [](const std::string& x) { return x; });
    if (!anomaly_index_.insert(a).second) return;
    anomalies.push_back(a);
    anomalies_indexed_ = anomalies.size();
  }

  // Indexes behind add_risk/add_anomaly. They cover the first *_indexed_
  // entries; entries appended to the vectors directly are picked up at the
  // next add, and a vector that shrank is re-indexed from scratch.
  std::unordered_set<std::string> risk_index_, anomaly_index_;
  size_t risk_indexed_ = 0, anomalies_indexed_ = 0;

 private:
  static std::string risk_key(const RiskFlag& f) { return f.name + '\0' + f.detail; }
  template <typename T, typename Key>
  static void sync_index(std::unordered_set<std::string>& index, size_t& indexed, const std::vector<T>& v, Key key) {
    if (v.size() < indexed) {
      index.clear();
      indexed = 0;
    }
    for (; indexed < v.size(); indexed++) index.insert(key(v[indexed]));
  }
};

}  // namespace sockwarden
