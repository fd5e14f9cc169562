#include "decode/severity.h"

#include <algorithm>

#include "decode/risk_flags.h"

namespace sockwarden {

Severity risk_flag_level(const RiskFlag& f) {
  const std::string& n = f.name;
  if (n == risk::kPrivileged || n == risk::kRuntimeSocketMount || n == risk::kPluginInstall || n == risk::kEffectMismatch)
    return Severity::High;
  if (n == risk::kHostMount) return host_path_critical(f.detail) ? Severity::High : Severity::Medium;
  if (n == risk::kCapAdd) return cap_is_critical(f.detail) ? Severity::High : Severity::Medium;
  if (n == risk::kHostPid || n == risk::kHostIpc || n == risk::kUsernsHost || n == risk::kDevice ||
      n == risk::kSecurityUnconfined || n == risk::kExec || n == risk::kArchiveUpload || n == risk::kSwarmAccess ||
      n == risk::kUnparsedBody || n == risk::kImageTagReplaced)
    return Severity::Medium;
  if (n == risk::kHostNetwork || n == risk::kHostUts || n == risk::kImagePull || n == risk::kImageBuild || n == risk::kImageTag ||
      n == risk::kRecon)
    return Severity::Low;
  return Severity::Low;
}

Severity request_severity(const DecodedRequest& r, const std::vector<FlagName>& caller_flags) {
  int level = 0;
  for (const auto& f : r.risk) level = std::max(level, static_cast<int>(risk_flag_level(f)));
  auto has = [&](const char* f) { return std::find(caller_flags.begin(), caller_flags.end(), f) != caller_flags.end(); };
  if (level >= static_cast<int>(Severity::Medium) && (has("container-originated") || has("namespaced"))) level++;
  return static_cast<Severity>(std::min(level, static_cast<int>(Severity::Critical)));
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::None: return "none";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "none";
}

int severity_score(Severity s) {
  static constexpr int kScores[] = {0, 21, 47, 73, 99};
  return kScores[static_cast<int>(s)];
}

}  // namespace sockwarden
