// Where trace and run send events.
#pragma once
#include <chrono>
#include <cstdio>
#include <iosfwd>
#include <string>
#include <vector>

#include "model/event_sink.h"
#include "format/summary.h"
#include "format/table_printer.h"
#include "format/reorder_buffer.h"
#include "format/trace_view.h"

namespace sockwarden {

struct TableOptions {
  bool color = false;
  TraceView view = TraceView::Requests;
  size_t width = 0;    // 0: unlimited
  int follow_fd = -1;  // a terminal: its width is re-read on SIGWINCH
  std::chrono::milliseconds hold{200};  // the reorder buffer's hold (reorder_buffer.h)
};

// trace: a live table, in time order, then the top callers at exit. Every
// event counts in Top callers; only those of the view are rows.
class TableSink : public EventSink {
 public:
  TableSink(std::ostream& out, TableOptions options);
  void on_start(const std::string& tier) override;
  void on_event(const Event& e) override;
  void on_idle() override;
  void on_exit(const RunStats& stats) override;

 private:
  void print(std::vector<Event>&& rows);
  bool follow_width();

  std::ostream& out_;
  TableOptions options_;
  TablePrinter table_;
  CallerSummary summary_;
  ReorderBuffer pending_;
};

// trace --json and run: one JSON object per line. With a summary, trace
// --json ends with one {"summary": ...} line.
class JsonLinesSink : public EventSink {
 public:
  // path "" or "-" = stdout; otherwise appended to (created 0600).
  // view: trace --json --view requests leaves out send and reply lines
  // (they still count in the summary); run writes everything.
  JsonLinesSink(const std::string& path, bool with_summary, TraceView view = TraceView::All);
  ~JsonLinesSink() override;
  void on_event(const Event& e) override;
  void on_exit(const RunStats& stats) override;
  uint64_t write_errors() const { return write_errors_; }

 private:
  void write_line(const std::string& line);
  FILE* out_ = nullptr;
  bool owned_ = false;
  bool with_summary_;
  TraceView view_;
  CallerSummary summary_;
  uint64_t write_errors_ = 0;
};

}  // namespace sockwarden
