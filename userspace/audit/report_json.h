// The audit as one JSON document, for tooling (shape in docs/audit.md).
#pragma once
#include <nlohmann/json.hpp>

#include "audit/audit_report.h"

namespace sockwarden::audit {

nlohmann::json report_json(const AuditReport& r);

}  // namespace sockwarden::audit
