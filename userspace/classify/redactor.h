// Secrets seen in captured traffic never reach the output.
//
// Applied to every captured payload before any sink sees it:
//  - HTTP header lines whose name is a credential carrier (X-Registry-Auth,
//    X-Registry-Config, Authorization, Proxy-Authorization, Cookie,
//    Set-Cookie, X-Auth-Token): the value becomes [REDACTED];
//  - JSON "Env" arrays (Docker create/exec bodies): "NAME=value" becomes
//    "NAME=[REDACTED]" (names are kept: they say what was set);
//  - binary payloads (gRPC/protobuf to containerd, CRI): every printable
//    "NAME=value" run, the shape of an environment entry, keeps only NAME=.
// A payload cut mid-secret (capture cap) is redacted to its end.
#pragma once
#include <string>
#include <vector>

namespace sockwarden {

struct RedactionResult {
  std::string payload;
  bool redacted = false;
};

RedactionResult redact_payload(const std::string& payload);
// The same on the payload itself; true if anything was redacted.
bool redact_payload_in_place(std::string& payload);

// More header names (case-insensitive) whose values are redacted, from the
// config file's redaction.extra_headers. Not thread-safe: set it from the
// thread that redacts.
void set_extra_secret_headers(const std::vector<std::string>& names);

}  // namespace sockwarden
