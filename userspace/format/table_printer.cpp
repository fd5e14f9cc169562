#include "format/table_printer.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

#include "events.h"
#include "model/flag_names.h"
#include "format/request_fields.h"
#include "format/term_text.h"

namespace sockwarden {
namespace {

enum Col : size_t { kTime, kPid, kComm, kUid, kContainer, kSocket, kAction, kFlag, kBytes };

struct ColumnSpec {
  const char* header;
  size_t full, min;
  bool right;     // numbers: right-aligned
  bool keep_end;  // paths: a cut keeps the end
  int drop;       // order in which columns are left out when even minimum widths do not fit (0: never)
};

// TIME and ACTION stay whatever the width: they are what a row is.
constexpr ColumnSpec kSpecs[TableLayout::kColumns] = {
    {"TIME", 12, 12, false, false, 0},      {"PID", 7, 7, true, false, 5},
    {"COMM", 15, 10, false, false, 6},      {"UID", 6, 6, true, false, 2},
    {"CONTAINER", 24, 16, false, false, 7}, {"SOCKET", 28, 16, false, true, 1},
    {"ACTION", 8, 8, false, false, 0},      {"FLAG", 4, 4, false, false, 4},
    {"BYTES", 8, 8, true, false, 3},
};
// DETAIL (the request, the error) gets at least this much before a column
// is left out for it.
constexpr size_t kDetailMin = 32;
constexpr size_t kActionText = 7;  // the 8th column is "!" for a failure
// What DETAIL shows at most of a payload's first line and of a request, even
// on a wide terminal: a row is a summary, the JSON has everything.
constexpr size_t kDetailPayload = 60;
constexpr size_t kDetailRequest = 120;
constexpr size_t kDetailError = 32;

// One letter per caller flag, so the column stays narrow: C container-originated,
// N namespaced, U unexpected-caller (the full names are in DETAIL).
std::string flag_letters(const Event& e) {
  std::string out;
  auto has = [&](const char* f) { return std::find(e.flags.begin(), e.flags.end(), f) != e.flags.end(); };
  if (has("container-originated")) out += 'C';
  if (has("namespaced")) out += 'N';
  if (has("unexpected-caller")) out += 'U';
  return out.empty() ? "-" : out;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// First line of the payload, not yet escaped, at most kDetailPayload columns.
std::string payload_first_line(std::string_view payload) {
  std::string_view line = payload.substr(0, payload.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Every character takes at least one column: kDetailPayload + 1 characters
  // (4 bytes each at most) are enough to decide where to cut, and spare
  // measuring a 16 KiB line.
  return cut_raw(line.substr(0, (kDetailPayload + 1) * 4), kDetailPayload);
}

// DETAIL, not yet escaped (fitted to its column as a whole when printed).
std::string detail(const Event& e) {
  std::string d;
  if (e.action == "lost"sv) {
    d = std::to_string(e.lost) + " lost";
    if (!e.lost_cause.empty()) d += " (" + cut_raw(e.lost_cause, kDetailError) + ")";
    return d;
  }
  if (e.outcome == "failure") {
    if (e.error) {
      d = cut_raw(*e.error, kDetailError);
    } else if (e.raw.flags & SW_F_RESULT_KNOWN) {
      d = "result=" + std::to_string(e.raw.result);
    } else {
      d = "failed";
    }
  } else if (e.action == "request"sv) {
    d = cut_raw(request_brief(e), kDetailRequest);
  } else if (e.action == "send"sv || e.action == "reply"sv) {
    d = payload_first_line(e.raw.payload);
  }
  auto flags = event_flag_names(e);
  if (!flags.empty()) {
    std::string joined;
    for (const auto& f : flags) joined += (joined.empty() ? "" : ",") + f;
    d += (d.empty() ? "[" : " [") + joined + "]";
  }
  return d;
}

// One row: each shown column fitted and padded, one space after it, then
// DETAIL in what is left. `color` wraps the ACTION text only, so that the
// columns line up with and without it.
std::string render(const TableLayout& layout, const std::array<std::string, TableLayout::kColumns>& cells,
                   const std::string& detail_text, const char* color) {
  std::string row;
  size_t used = 0;
  for (size_t c = 0; c < TableLayout::kColumns; ++c) {
    size_t w = layout.widths[c];
    if (w == 0) continue;
    // A terminal too narrow even for TIME and ACTION: cut the row there.
    if (layout.total && used + w > layout.total) w = layout.total - used;
    if (w == 0) break;
    size_t have = 0;
    std::string text = fit_columns(cells[c], w, kSpecs[c].keep_end, &have);
    if (color && c == kAction && !text.empty()) text = color + text + "\033[0m";
    row += pad_columns(std::move(text), have, w, kSpecs[c].right);
    used += w;
    if (layout.total && used >= layout.total) return row;
    row += ' ';
    ++used;
  }
  size_t room = layout.total ? layout.total - used : std::numeric_limits<size_t>::max();
  if (room > layout.detail) room = layout.detail;
  if (room > 0) row += fit_columns(detail_text, room);
  return row;
}

}  // namespace

TableLayout TableLayout::for_width(size_t width) {
  TableLayout l;
  l.total = width;
  for (size_t c = 0; c < kColumns; ++c) l.widths[c] = kSpecs[c].full;
  if (width == 0) {
    l.detail = std::numeric_limits<size_t>::max();
    return l;
  }
  auto needed = [&]() {
    size_t n = 0;
    for (size_t w : l.widths)
      if (w) n += w + 1;
    return n + kDetailMin;
  };
  while (needed() > width) {
    // Shrink the widest column that still can.
    size_t widest = kColumns;
    for (size_t c = 0; c < kColumns; ++c)
      if (l.widths[c] > kSpecs[c].min && (widest == kColumns || l.widths[c] > l.widths[widest])) widest = c;
    if (widest != kColumns) {
      --l.widths[widest];
      continue;
    }
    // All at their minimum: leave a column out.
    size_t victim = kColumns;
    for (size_t c = 0; c < kColumns; ++c)
      if (l.widths[c] && kSpecs[c].drop && (victim == kColumns || kSpecs[c].drop < kSpecs[victim].drop)) victim = c;
    if (victim == kColumns) break;  // only TIME and ACTION left
    l.widths[victim] = 0;
    // Room again: give the columns still shown back up to their full width.
    for (size_t c = 0; c < kColumns; ++c)
      if (l.widths[c]) l.widths[c] = kSpecs[c].full;
  }
  size_t fixed = needed() - kDetailMin;
  l.detail = width > fixed ? width - fixed : 0;
  return l;
}

std::string fit_left(std::string_view text, size_t width) { return fit_columns(text, width, /*keep_end=*/true); }

std::string fit_right(std::string_view text, size_t width) { return fit_columns(text, width, /*keep_end=*/false); }

std::string short_cgroup_label(const std::string& cgroup_path) {
  if (cgroup_path.empty()) return "-";
  // Last run of exactly 64 hex digits: docker (/docker/<id>, docker-<id>.scope),
  // containerd/CRI-O (cri-containerd-<id>.scope, crio-<id>.scope).
  std::string_view id;
  size_t i = 0;
  while (i < cgroup_path.size()) {
    if (!is_hex(cgroup_path[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cgroup_path.size() && is_hex(cgroup_path[j])) ++j;
    if (j - i == 64) id = std::string_view(cgroup_path).substr(i, 12);
    i = j;
  }
  if (!id.empty()) return std::string(id);
  if (cgroup_path == "/") return "/";
  std::string_view p = cgroup_path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  auto slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

std::string short_cgroup(const std::string& cgroup_path, size_t width) {
  return fit_right(short_cgroup_label(cgroup_path), width);
}

std::string container_label(const std::string& container_name, const std::string& cgroup_path) {
  return container_name.empty() ? short_cgroup_label(cgroup_path) : container_name;
}

std::string container_label(const Event& e) {
  return container_label(e.container ? e.container->name : std::string(), e.cgroup_path);
}

std::string local_time_ms(uint64_t realtime_ns) {
  time_t secs = static_cast<time_t>(realtime_ns / 1'000'000'000ULL);
  unsigned ms = static_cast<unsigned>((realtime_ns / 1'000'000ULL) % 1000);
  tm t{};
  localtime_r(&secs, &t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03u", t.tm_hour, t.tm_min, t.tm_sec, ms);
  return buf;
}

void TablePrinter::print_header() {
  std::array<std::string, TableLayout::kColumns> cells;
  for (size_t c = 0; c < TableLayout::kColumns; ++c) cells[c] = kSpecs[c].header;
  out_ << render(layout_, cells, "DETAIL", nullptr) << '\n';
}

void TablePrinter::print(const Event& e) {
  const bool lost = e.action == "lost"sv;
  const bool failed = e.outcome == "failure";
  const bool has_bytes = e.action == "send"sv || e.action == "reply"sv || e.action == "request"sv;
  // "existing-connection" does not fit the 7-column action.
  std::string action = cut_raw(e.action == "existing-connection"sv ? "exists" : e.action, kActionText) +
                       (failed ? "!" : "");
  // A high or critical request stands out like a failure.
  const bool alarming = e.action == "request"sv && (e.severity == "high" || e.severity == "critical");
  const char* color = nullptr;
  if (color_ && (failed || lost || alarming)) color = failed || alarming ? "\033[31m" : "\033[33m";

  std::array<std::string, TableLayout::kColumns> cells;
  cells[kTime] = local_time_ms(e.realtime_ns);
  cells[kPid] = lost ? "-" : std::to_string(e.raw.tgid);
  cells[kComm] = lost ? "-" : process_name(e);
  cells[kUid] = lost ? "-" : std::to_string(e.raw.uid);
  cells[kContainer] = lost ? "-" : container_label(e);
  cells[kSocket] = lost || e.socket_path.empty() ? "-" : e.socket_path;
  cells[kAction] = std::move(action);
  cells[kFlag] = lost ? "-" : flag_letters(e);
  cells[kBytes] = has_bytes ? std::to_string(e.raw.bytes) : "-";
  out_ << render(layout_, cells, detail(e), color) << '\n';
}

}  // namespace sockwarden
