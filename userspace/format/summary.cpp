#include "format/summary.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

#include "format/table_printer.h"
#include "format/term_text.h"

namespace sockwarden {

void CallerSummary::add(const Event& e) {
  if (e.action == "lost"sv) {
    lost_ += e.lost;
    return;
  }
  ++events_;
  const bool connect = e.action == "connect"sv;
  const bool send = e.action == "send"sv;
  if (!connect && !send) return;

  const std::string& comm = process_name(e);
  Key key{e.raw.tgid, comm, e.raw.uid, e.cgroup_path};
  auto [it, inserted] = by_caller_.try_emplace(key);
  CallerStats& s = it->second;
  if (inserted) {
    s.tgid = e.raw.tgid;
    s.comm = comm;
    s.uid = e.raw.uid;
    s.cgroup_path = e.cgroup_path;
  }
  // The same cgroup may be resolved to a name on a later event only.
  if (s.container.empty() && e.container) s.container = e.container->name;
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

namespace {

struct SummaryColumn {
  const char* header;
  size_t full, min;
  bool right;
  int drop;  // left out in this order when even minimum widths do not fit (0: never)
};
constexpr SummaryColumn kSummaryColumns[] = {
    {"PID", 7, 7, true, 0},        {"COMM", 15, 8, false, 0},     {"UID", 6, 6, true, 1},
    {"CONTAINER", 24, 16, false, 0}, {"CONNECTS", 8, 8, true, 0}, {"FAILED", 8, 8, true, 3},
    {"SENDS", 8, 8, true, 0},      {"BYTES", 12, 12, true, 2},
};
constexpr size_t kSummaryN = sizeof kSummaryColumns / sizeof kSummaryColumns[0];

std::array<size_t, kSummaryN> summary_widths(size_t width) {
  std::array<size_t, kSummaryN> w{};
  for (size_t c = 0; c < kSummaryN; ++c) w[c] = kSummaryColumns[c].full;
  if (width == 0) return w;
  auto needed = [&]() {
    size_t n = 0;
    for (size_t x : w)
      if (x) n += x + 1;
    return n ? n - 1 : 0;
  };
  while (needed() > width) {
    size_t widest = kSummaryN;
    for (size_t c = 0; c < kSummaryN; ++c)
      if (w[c] > kSummaryColumns[c].min && (widest == kSummaryN || w[c] > w[widest])) widest = c;
    if (widest != kSummaryN) {
      --w[widest];
      continue;
    }
    size_t victim = kSummaryN;
    for (size_t c = 0; c < kSummaryN; ++c)
      if (w[c] && kSummaryColumns[c].drop &&
          (victim == kSummaryN || kSummaryColumns[c].drop < kSummaryColumns[victim].drop))
        victim = c;
    if (victim == kSummaryN) break;  // the line is cut as a whole below
    w[victim] = 0;
    for (size_t c = 0; c < kSummaryN; ++c)
      if (w[c]) w[c] = kSummaryColumns[c].full;
  }
  return w;
}

// A line of our own (already safe) or of cells, cut to `width` columns (0: as is).
void put_line(std::ostream& out, const std::string& line, size_t width) {
  out << (width ? fit_columns(line, width) : line) << '\n';
}

}  // namespace

void CallerSummary::print(std::ostream& out, size_t top, size_t width) const {
  auto all = callers();
  uint64_t connects = 0, failed = 0, sends = 0, bytes = 0;
  for (const auto& c : all) {
    connects += c.connects;
    failed += c.failed_connects;
    sends += c.sends;
    bytes += c.bytes;
  }

  auto w = summary_widths(width);
  auto row = [&](const std::array<std::string, kSummaryN>& cells) {
    std::string line;
    size_t used = 0;
    for (size_t c = 0; c < kSummaryN; ++c) {
      if (!w[c]) continue;
      if (!line.empty()) {
        line += ' ';
        ++used;
      }
      size_t have = 0;
      std::string text = fit_columns(cells[c], w[c], false, &have);
      line += pad_columns(std::move(text), have, w[c], kSummaryColumns[c].right);
      used += w[c];
    }
    // Every cell is escaped already: cut by columns without escaping again.
    if (width && used > width) line = cut_safe(line, width);
    out << line << '\n';
  };
  out << "Top callers\n";
  std::array<std::string, kSummaryN> header;
  for (size_t c = 0; c < kSummaryN; ++c) header[c] = kSummaryColumns[c].header;
  row(header);
  for (size_t i = 0; i < all.size() && i < top; ++i) {
    const auto& c = all[i];
    row({std::to_string(c.tgid), c.comm, std::to_string(c.uid), container_label(c.container, c.cgroup_path),
         std::to_string(c.connects), std::to_string(c.failed_connects), std::to_string(c.sends),
         std::to_string(c.bytes)});
  }
  if (all.size() > top) put_line(out, "  ... " + std::to_string(all.size() - top) + " more", width);
  put_line(out,
           "total: " + std::to_string(events_) + " events, " + std::to_string(connects) + " connects (" +
               std::to_string(failed) + " failed), " + std::to_string(sends) + " sends, " + std::to_string(bytes) +
               " bytes, " + std::to_string(all.size()) + " callers",
           width);
  put_line(out, "lost events: " + std::to_string(lost_), width);
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
    if (!c.container.empty()) callers_json.back()["container"] = c.container;
  }
  return {{"summary", {{"events", events_}, {"lost", lost_}, {"callers", std::move(callers_json)}}}};
}

}  // namespace sockwarden
