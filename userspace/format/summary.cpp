#include "format/summary.h"

#include <algorithm>
#include <cstdio>

#include "format/table_printer.h"

namespace sockwarden {

void CallerSummary::add(const Event& e) {
  if (e.action == "lost") {
    lost_ += e.lost;
    return;
  }
  ++events_;
  const bool connect = e.action == "connect";
  const bool send = e.action == "send";
  if (!connect && !send) return;

  const std::string& comm = e.process.name.empty() ? e.raw.comm : e.process.name;
  Key key{e.raw.tgid, comm, e.raw.uid, e.cgroup_path};
  auto [it, inserted] = by_caller_.try_emplace(key);
  CallerStats& s = it->second;
  if (inserted) {
    s.tgid = e.raw.tgid;
    s.comm = comm;
    s.uid = e.raw.uid;
    s.cgroup_path = e.cgroup_path;
  }
  if (connect) {
    ++s.connects;
    if (e.outcome == "failure") ++s.failed_connects;
  } else {
    ++s.sends;
    s.bytes += e.raw.bytes;
  }
}

std::vector<CallerStats> CallerSummary::callers() const {
  std::vector<CallerStats> out;
  out.reserve(by_caller_.size());
  for (const auto& [key, stats] : by_caller_) out.push_back(stats);
  std::stable_sort(out.begin(), out.end(), [](const CallerStats& a, const CallerStats& b) {
    uint64_t ka = a.connects + a.sends, kb = b.connects + b.sends;
    if (ka != kb) return ka > kb;
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    return a.tgid < b.tgid;
  });
  return out;
}

void CallerSummary::print(std::ostream& out, size_t top) const {
  auto all = callers();
  uint64_t connects = 0, failed = 0, sends = 0, bytes = 0;
  for (const auto& c : all) {
    connects += c.connects;
    failed += c.failed_connects;
    sends += c.sends;
    bytes += c.bytes;
  }

  char line[256];
  out << "Top callers\n";
  std::snprintf(line, sizeof line, "%7s %-15s %6s %-24s %8s %8s %8s %12s\n", "PID", "COMM", "UID", "CGROUP",
                "CONNECTS", "FAILED", "SENDS", "BYTES");
  out << line;
  for (size_t i = 0; i < all.size() && i < top; ++i) {
    const auto& c = all[i];
    std::snprintf(line, sizeof line, "%7u %-15s %6u %-24s %8llu %8llu %8llu %12llu\n", c.tgid,
                  fit_right(c.comm, 15).c_str(), c.uid, short_cgroup(c.cgroup_path, 24).c_str(),
                  static_cast<unsigned long long>(c.connects), static_cast<unsigned long long>(c.failed_connects),
                  static_cast<unsigned long long>(c.sends), static_cast<unsigned long long>(c.bytes));
    out << line;
  }
  if (all.size() > top) out << "  ... " << (all.size() - top) << " more\n";
  out << "total: " << events_ << " events, " << connects << " connects (" << failed << " failed), " << sends
      << " sends, " << bytes << " bytes, " << all.size() << " callers\n";
  out << "lost events: " << lost_ << "\n";
}

nlohmann::json CallerSummary::to_json() const {
  auto callers_json = nlohmann::json::array();
  for (const auto& c : callers()) {
    callers_json.push_back({
        {"pid", c.tgid},
        {"name", c.comm},
        {"uid", c.uid},
        {"cgroup", c.cgroup_path},
        {"connects", c.connects},
        {"failed_connects", c.failed_connects},
        {"sends", c.sends},
        {"bytes", c.bytes},
    });
  }
  return {{"summary", {{"events", events_}, {"lost", lost_}, {"callers", std::move(callers_json)}}}};
}

}  // namespace sockwarden
