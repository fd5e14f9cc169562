#include "lint/daemon_json_check.h"

#include <nlohmann/json.hpp>

#include "lint/rules.h"
#include "lint/workload_checks.h"

namespace sockwarden::lint {

bool check_daemon_json(FindingSink& sink, const std::string& text, const std::vector<std::string>& lines,
                       std::string& error) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    error = std::string("malformed JSON: ") + e.what();
    return false;
  }
  if (!j.is_object() || !j.contains("hosts") || !j["hosts"].is_array()) return true;
  // Type-checked: "tlsverify": "yes" is not true, and must not throw either.
  auto flag = [&](const char* k) { return j.contains(k) && j[k].is_boolean() && j[k].get<bool>(); };
  bool verify = flag("tlsverify");
  bool tls = flag("tls");
  if (verify) return true;
  for (const auto& h : j["hosts"]) {
    if (!h.is_string() || !is_tcp_endpoint(h.get<std::string>())) continue;
    std::string host = h.get<std::string>();
    int line = 1;  // nlohmann keeps no positions: the line that spells the address
    for (size_t n = 0; n < lines.size(); n++)
      if (lines[n].find("\"" + host + "\"") != std::string::npos) {
        line = static_cast<int>(n + 1);
        break;
      }
    if (tls)
      sink.add(line, rule::kDaemonTcp, Severity::High,
               "daemon.json hosts " + host + " with \"tls\" but without \"tlsverify\": no client certificate needed");
    else
      sink.add(line, rule::kDaemonTcp, "daemon.json hosts " + host + " without TLS: root on the host for anyone who reaches the port");
  }
  return true;
}

}  // namespace sockwarden::lint
