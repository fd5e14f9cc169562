// The audit as a report a responder reads top to bottom: findings worst
// first (each with evidence and a fix), then the inventories they came from.
#pragma once
#include <ostream>

#include "audit/audit_report.h"

namespace sockwarden::audit {

void report_text(std::ostream& out, const AuditReport& r);

}  // namespace sockwarden::audit
