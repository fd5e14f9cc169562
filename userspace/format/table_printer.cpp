#include "format/table_printer.h"

#include <algorithm>

#include <time.h>

#include <cctype>
#include <cstdio>
#include <vector>

#include "events.h"
#include "model/flag_names.h"
#include "format/payload_escape.h"
#include "format/request_fields.h"

namespace sockwarden {
namespace {

constexpr size_t kCommWidth = 15;
constexpr size_t kCgroupWidth = 24;
constexpr size_t kSocketWidth = 28;
constexpr size_t kActionWidth = 8;
constexpr size_t kDetailPayload = 60;
// ASCII rather than "…": std::setw/printf count bytes, and a multi-byte
// ellipsis would shift every column after it.
constexpr std::string_view kEllipsis = "...";

// One escaped token per input byte, so cutting never splits a "\xHH".
std::vector<std::string> escaped_tokens(std::string_view text) {
  std::vector<std::string> out;
  out.reserve(text.size());
  for (char c : text) out.push_back(escape_payload(std::string_view(&c, 1)));
  return out;
}

std::string format_row(std::string_view time, std::string_view pid, std::string_view comm, std::string_view uid,
                       std::string_view cgroup, std::string_view socket, std::string_view action,
                       std::string_view flags, std::string_view bytes) {
  char buf[256];
  // `action` is already padded to its 8 columns (it may carry colour codes).
  std::snprintf(buf, sizeof buf, "%-12.*s %7.*s %-15.*s %6.*s %-24.*s %-28.*s %.*s %-4.*s %8.*s ",
                static_cast<int>(time.size()), time.data(), static_cast<int>(pid.size()), pid.data(),
                static_cast<int>(comm.size()), comm.data(), static_cast<int>(uid.size()), uid.data(),
                static_cast<int>(cgroup.size()), cgroup.data(), static_cast<int>(socket.size()), socket.data(),
                static_cast<int>(action.size()), action.data(), static_cast<int>(flags.size()), flags.data(),
                static_cast<int>(bytes.size()), bytes.data());
  return buf;
}

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

// Container name, else its short id (from the cgroup path), else the cgroup.
std::string who(const Event& e, size_t width) {
  if (e.container && !e.container->name.empty()) return fit_right(e.container->name, width);
  return short_cgroup(e.cgroup_path, width);
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// First line of the payload, escaped, at most `width` characters.
std::string payload_first_line(std::string_view payload, size_t width) {
  std::string_view line = payload.substr(0, payload.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Every byte escapes to at least one character: width + 1 bytes are enough
  // to decide whether to cut, and spare escaping a 16 KiB line.
  return fit_right(line.substr(0, width + 1), width);
}

std::string detail(const Event& e) {
  std::string d;
  if (e.action == "lost") {
    d = std::to_string(e.lost) + " lost";
    if (!e.lost_cause.empty()) d += " (" + fit_right(e.lost_cause, 32) + ")";
    return d;
  }
  if (e.outcome == "failure") {
    if (e.error) {
      d = fit_right(*e.error, 32);
    } else if (e.raw.flags & SW_F_RESULT_KNOWN) {
      d = "result=" + std::to_string(e.raw.result);
    } else {
      d = "failed";
    }
  } else if (e.action == "request") {
    d = fit_right(request_brief(e), 2 * kDetailPayload);
  } else if (e.action == "send" || e.action == "reply") {
    d = payload_first_line(e.raw.payload, kDetailPayload);
  }
  auto flags = event_flag_names(e);
  if (!flags.empty()) {
    std::string joined;
    for (const auto& f : flags) joined += (joined.empty() ? "" : ",") + f;
    d += (d.empty() ? "[" : " [") + joined + "]";
  }
  return d;
}

}  // namespace

std::string fit_left(std::string_view text, size_t width) {
  auto toks = escaped_tokens(text);
  size_t total = 0;
  for (const auto& t : toks) total += t.size();
  if (total <= width) {
    std::string out;
    for (const auto& t : toks) out += t;
    return out;
  }
  if (width <= kEllipsis.size()) return std::string(kEllipsis.substr(0, width));
  std::string tail;
  size_t room = width - kEllipsis.size();
  for (auto it = toks.rbegin(); it != toks.rend() && tail.size() + it->size() <= room; ++it) tail.insert(0, *it);
  return std::string(kEllipsis) + tail;
}

std::string fit_right(std::string_view text, size_t width) {
  auto toks = escaped_tokens(text);
  size_t total = 0;
  for (const auto& t : toks) total += t.size();
  std::string out;
  if (total <= width) {
    for (const auto& t : toks) out += t;
    return out;
  }
  if (width <= kEllipsis.size()) return std::string(kEllipsis.substr(0, width));
  size_t room = width - kEllipsis.size();
  for (const auto& t : toks) {
    if (out.size() + t.size() > room) break;
    out += t;
  }
  return out + std::string(kEllipsis);
}

std::string short_cgroup(const std::string& cgroup_path, size_t width) {
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
  if (!id.empty()) return fit_right(id, width);
  if (cgroup_path == "/") return "/";
  std::string_view p = cgroup_path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  auto slash = p.rfind('/');
  return fit_right(slash == std::string_view::npos ? p : p.substr(slash + 1), width);
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
  out_ << format_row("TIME", "PID", "COMM", "UID", "CONTAINER", "SOCKET", "ACTION  ", "FLAG", "BYTES") << "DETAIL\n";
}

void TablePrinter::print(const Event& e) {
  const bool lost = e.action == "lost";
  const bool failed = e.outcome == "failure";
  const bool has_bytes = e.action == "send" || e.action == "reply" || e.action == "request";
  std::string comm = e.process.name.empty() ? e.raw.comm : e.process.name;
  // "existing-connection" does not fit the 7-column action.
  std::string action = fit_right(e.action == "existing-connection" ? "exists" : e.action, kActionWidth - 1) +
                       (failed ? "!" : "");
  action.resize(kActionWidth, ' ');
  // A high or critical request stands out like a failure.
  const bool alarming = e.action == "request" && (e.severity == "high" || e.severity == "critical");
  if (color_ && (failed || lost || alarming)) {
    // Colour wraps the text only; the padding stays outside so columns line
    // up with and without colour.
    auto end = action.find_last_not_of(' ') + 1;
    action.insert(end, "\033[0m");
    action.insert(0, failed || alarming ? "\033[31m" : "\033[33m");
  }

  std::string row = format_row(local_time_ms(e.realtime_ns), lost ? "-" : std::to_string(e.raw.tgid),
                               lost ? "-" : fit_right(comm, kCommWidth), lost ? "-" : std::to_string(e.raw.uid),
                               lost ? "-" : who(e, kCgroupWidth),
                               lost || e.socket_path.empty() ? "-" : fit_left(e.socket_path, kSocketWidth), action,
                               lost ? "-" : flag_letters(e), has_bytes ? std::to_string(e.raw.bytes) : "-");
  out_ << row << detail(e) << '\n';
}

}  // namespace sockwarden
