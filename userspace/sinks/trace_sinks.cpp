#include "sinks/trace_sinks.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <ostream>

#include "capture/errors.h"
#include "format/ecs_json.h"
#include "format/safe_text.h"

namespace sockwarden {

TableSink::TableSink(std::ostream& out, bool color) : out_(out), table_(out, color) {}

void TableSink::on_start(const std::string&) {
  table_.print_header();
  out_.flush();
}

void TableSink::on_event(const Event& e) {
  summary_.add(e);
  table_.print(e);
  out_.flush();
}

void TableSink::on_exit(const RunStats& stats) {
  out_ << "\n";
  summary_.print(out_);
  out_ << "tier: " << stats.tier << "; kernel records: " << stats.kernel.events
       << ", lost (ring buffer full): " << stats.kernel.ringbuf_drops
       << ", payloads partly unreadable: " << stats.kernel.payload_partial << "\n";
  out_ << "requests decoded: " << stats.requests << "; decoder connections evicted: " << stats.evicted_connections
       << ", expired: " << stats.expired_connections << "\n";
  out_.flush();
}

JsonLinesSink::JsonLinesSink(const std::string& path, bool with_summary) : with_summary_(with_summary) {
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
