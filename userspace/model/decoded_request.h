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
  // Opaque token of the write that carried the request's first byte (the pipeline
  // uses it to attribute the request to that write's caller).
  uint64_t origin = 0;
  uint64_t connection = 0;  // the connection id it was decoded from (set by the reassembler)

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
