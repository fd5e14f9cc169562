// Where trace and run send events.
#pragma once
#include <cstdio>
#include <iosfwd>
#include <string>

#include "model/event_sink.h"
#include "format/summary.h"
#include "format/table_printer.h"

namespace sockwarden {

// trace: a live table, then the top callers at exit.
class TableSink : public EventSink {
 public:
  TableSink(std::ostream& out, bool color);
  void on_start(const std::string& tier) override;
  void on_event(const Event& e) override;
  void on_exit(const RunStats& stats) override;

 private:
  std::ostream& out_;
  TablePrinter table_;
  CallerSummary summary_;
};

// trace --json and run: one JSON object per line. With a summary, trace
// --json ends with one {"summary": ...} line.
class JsonLinesSink : public EventSink {
 public:
  // path "" or "-" = stdout; otherwise appended to (created 0600).
  JsonLinesSink(const std::string& path, bool with_summary);
  ~JsonLinesSink() override;
  void on_event(const Event& e) override;
  void on_exit(const RunStats& stats) override;
  uint64_t write_errors() const { return write_errors_; }

 private:
  void write_line(const std::string& line);
  FILE* out_ = nullptr;
  bool owned_ = false;
  bool with_summary_;
  CallerSummary summary_;
  uint64_t write_errors_ = 0;
};

}  // namespace sockwarden
