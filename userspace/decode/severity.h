// Severity of a decoded request: what it asks for (risk flags) combined with
// who asks (caller flags from classify: container-originated, namespaced).
#pragma once
#include <string>
#include <vector>

#include "model/decoded_request.h"
#include "model/flag_name.h"

namespace sockwarden {

enum class Severity { None = 0, Low = 1, Medium = 2, High = 3, Critical = 4 };

// Level of one risk flag on its own.
Severity risk_flag_level(const RiskFlag& f);

// Highest flag level; one level up when the caller is in a container or an
// unclaimed namespace (a workload reaching its runtime is an escape attempt
// unless proven otherwise). Container-originated + privileged + host-mount of a
// critical path is the top (critical); the same from a host shell is high.
Severity request_severity(const DecodedRequest& r, const std::vector<FlagName>& caller_flags);

const char* severity_name(Severity s);       // "none", "low", "medium", "high", "critical"
int severity_score(Severity s);              // ECS event.severity: 0, 21, 47, 73, 99

}  // namespace sockwarden
