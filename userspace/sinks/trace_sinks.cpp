#include "sinks/trace_sinks.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <ostream>

#include "capture/errors.h"
#include "format/ecs_json.h"
#include "format/safe_text.h"
#include "format/term_size.h"
#include "format/term_text.h"

namespace sockwarden {
namespace {

// Bytes of a send/reply payload a held row keeps: the table shows at most the
// first 60 columns of the first line (4 bytes per column at most).
constexpr size_t kHeldPayload = 512;

}  // namespace

TableSink::TableSink(std::ostream& out, TableOptions options)
    : out_(out),
      options_(options),
      table_(out, options.color, options.width),
      pending_(options.hold) {
  if (options_.follow_fd >= 0) watch_window_size();
}

// Returns whether the width changed (the header is printed again for the new columns).
bool TableSink::follow_width() {
  if (options_.follow_fd < 0 || !window_size_changed()) return false;
  size_t width = terminal_width(options_.follow_fd);
  if (width == table_.width()) return false;
  table_.set_width(width);
  return true;
}

void TableSink::print(std::vector<Event>&& rows) {
  if (rows.empty()) return;
  if (follow_width()) table_.print_header();
  for (const auto& e : rows) table_.print(e);
  out_.flush();
}

void TableSink::on_start(const std::string&) {
  follow_width();
  table_.print_header();
  out_.flush();
}

void TableSink::on_event(const Event& e) {
  summary_.add(e);
  if (!shown_in_view(e, options_.view)) return;
  Event row = e;
  // A held row keeps what the table shows of its payload (the first line),
  // not the whole capture: the buffer's memory stays bounded by rows, not bytes.
  if (row.raw.payload.size() > kHeldPayload) row.raw.payload.resize(kHeldPayload);
  print(pending_.push(std::move(row), ReorderBuffer::Clock::now()));
}

void TableSink::on_idle() { print(pending_.release(ReorderBuffer::Clock::now())); }

void TableSink::on_exit(const RunStats& stats) {
  print(pending_.drain());
  follow_width();
  const size_t width = table_.width();
  auto line = [&](const std::string& text) { out_ << (width ? cut_safe(text, width) : text) << "\n"; };
  out_ << "\n";
  summary_.print(out_, 10, width);
  line("tier: " + stats.tier + "; kernel records: " + std::to_string(stats.kernel.events) +
       ", lost (ring buffer full): " + std::to_string(stats.kernel.ringbuf_drops) +
       ", payloads partly unreadable: " + std::to_string(stats.kernel.payload_partial));
  line("requests decoded: " + std::to_string(stats.requests) +
       "; decoder connections evicted: " + std::to_string(stats.evicted_connections) +
       ", expired: " + std::to_string(stats.expired_connections));
  if (pending_.late())
    line("rows out of time order (completed after the " + std::to_string(options_.hold.count()) +
         " ms hold): " + std::to_string(pending_.late()));
  out_.flush();
}

JsonLinesSink::JsonLinesSink(const std::string& path, bool with_summary, TraceView view)
    : with_summary_(with_summary), view_(view) {
  if (path.empty() || path == "-") {
    out_ = stdout;
    return;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw UserError(kExitUsage, errno_text("--output " + path, errno), "check that the directory exists and is writable");
  out_ = fdopen(fd, "a");
  owned_ = true;
}

JsonLinesSink::~JsonLinesSink() {
  if (owned_ && out_) fclose(out_);
}

void JsonLinesSink::write_line(const std::string& line) {
  // A full disk or a closed pipe must not stop capture: count, log, go on.
  if (fwrite(line.data(), 1, line.size(), out_) != line.size() || fputc('\n', out_) == EOF || fflush(out_) != 0) {
    if (write_errors_++ == 0) spdlog::error("{}", errno_text("writing events", errno));
    clearerr(out_);
  }
}

void JsonLinesSink::on_event(const Event& e) {
  if (with_summary_) summary_.add(e);
  if (!shown_in_view(e, view_)) return;
  write_line(to_json_line(e));
}

void JsonLinesSink::on_exit(const RunStats& stats) {
  if (write_errors_) spdlog::error("{} events could not be written", write_errors_);
  if (!with_summary_) {
    spdlog::info("exiting: {} events, {} lost, tier {}", stats.emitted, stats.lost, stats.tier);
    return;
  }
  auto j = summary_.to_json();
  j["summary"]["tier"] = stats.tier;
  j["summary"]["kernel"] = {{"records", stats.kernel.events},
                            {"ringbuf_drops", stats.kernel.ringbuf_drops},
                            {"payload_partial", stats.kernel.payload_partial},
                            {"decode_errors", stats.kernel.decode_errors}};
  j["summary"]["decoder"] = {{"requests", stats.requests},
                             {"evicted_connections", stats.evicted_connections},
                             {"expired_connections", stats.expired_connections}};
  write_line(safe_dump(j));
}

}  // namespace sockwarden
