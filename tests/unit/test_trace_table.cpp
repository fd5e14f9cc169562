// trace's table fitted to a terminal width, its view filter, Top callers'
// CONTAINER column, and the width choice (output/table_printer.h,
// trace_view.h, summary.h, term_size.h).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "format/summary.h"
#include "format/table_printer.h"
#include "format/term_size.h"
#include "format/term_text.h"
#include "format/trace_view.h"

namespace sockwarden {
namespace {

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

// Columns a terminal gives to a line we print: colour codes take none.
size_t shown_columns(const std::string& line) {
  std::string plain;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\033') {
      while (i < line.size() && line[i] != 'm') ++i;
      continue;
    }
    plain += line[i];
  }
  size_t cols = 0;
  for (size_t i = 0; i < plain.size();) {
    auto c = static_cast<unsigned char>(plain[i]);
    size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < n && i + k < plain.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(plain[i + k]) & 0x3f);
    cols += codepoint_columns(cp);
    i += n;
  }
  return cols;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

Event caller_event(const std::string& action) {
  Event e;
  e.action = action;
  e.outcome = "success";
  e.realtime_ns = 1'795'380'397'123'456'789ULL;
  e.raw.tgid = 4194304;
  e.raw.uid = 4294967294u;
  e.raw.comm = "docker";
  e.raw.bytes = 123456789;
  e.process.edit().name = "docker";
  e.cgroup_path = "/system.slice/docker-" + kId + ".scope";
  e.socket_path = "/var/lib/kubelet/pods/abcdef/volumes/kubernetes.io~empty-dir/run/docker.sock";
  e.flags = {"container-originated", "unexpected-caller"};
  return e;
}

// The rows a hostile caller can make as wide as it likes: names, paths,
// payload and request path all chosen by it, with multi-byte and control bytes.
std::vector<Event> hostile_rows() {
  std::vector<Event> out;
  Event send = caller_event("send");
  send.process.edit().name = "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\x1b[2J";
  ContainerInfo c;
  c.ref.id = kId;
  c.name = "\xf0\x9f\x90\xb3\xe2\x80\xae" + std::string(40, 'x') + "\xc3\xa9";
  send.container = c;
  send.raw.payload = "POST /v1.41/containers/create?name=" + std::string(300, '\xe6') + " HTTP/1.1\r\n";
  out.push_back(send);
  Event req = caller_event("request");
  DecodedRequest r;
  r.method = "POST";
  r.path = "/containers/create/" + std::string(200, 'a') + "\xe6\xbc\xa2";
  r.status_code = 201;
  req.request = r;
  req.severity = "critical";
  req.container = c;
  out.push_back(req);
  Event refused = caller_event("connect");
  refused.outcome = "failure";
  refused.error = "EACCES";
  out.push_back(refused);
  Event lost;
  lost.action = "lost";
  lost.lost = 99999;
  lost.lost_cause = "ringbuf-full";
  out.push_back(lost);
  return out;
}

TEST(TraceTable, EveryRowFitsEveryWidth) {
  for (size_t width : {1u, 10u, 20u, 40u, 60u, 79u, 80u, 100u, 120u, 132u, 160u, 200u, 300u}) {
    for (bool color : {false, true}) {
      std::ostringstream out;
      TablePrinter t(out, color, width);
      t.print_header();
      for (const auto& e : hostile_rows()) t.print(e);
      auto ls = lines(out.str());
      ASSERT_EQ(ls.size(), 5u);
      for (const auto& l : ls) {
        EXPECT_LE(shown_columns(l), width) << "width " << width << ": " << l;
        EXPECT_EQ(l.find("\033[2J"), std::string::npos);
        EXPECT_EQ(l.find("\xe2\x80\xae"), std::string::npos);  // the bidi override is escaped
      }
    }
  }
}

TEST(TraceTable, HeaderAndRowsLineUpAtAGivenWidth) {
  for (size_t width : {80u, 100u, 132u}) {
    std::ostringstream out;
    TablePrinter t(out, false, width);
    t.print_header();
    Event e = caller_event("connect");
    ContainerInfo c;
    c.ref.id = kId;
    c.name = "caf\xc3\xa9-\xe6\xbc\xa2";  // 8 columns, 11 bytes
    e.container = c;
    t.print(e);
    auto ls = lines(out.str());
    ASSERT_EQ(ls.size(), 2u);
    // ACTION starts at the same column in the header and in the row,
    // although the row holds multi-byte characters before it.
    auto col_of = [](const std::string& l, const std::string& what) {
      size_t at = l.find(what);
      return at == std::string::npos ? at : shown_columns(l.substr(0, at));
    };
    EXPECT_EQ(col_of(ls[0], "ACTION"), col_of(ls[1], "connect")) << ls[0] << "\n" << ls[1];
    EXPECT_NE(ls[1].find("caf\xc3\xa9-\xe6\xbc\xa2"), std::string::npos) << ls[1];
    EXPECT_NE(ls[0].find("CONTAINER"), std::string::npos) << ls[0];
    EXPECT_NE(ls[0].find("DETAIL"), std::string::npos) << ls[0];
  }
}

TEST(TraceTable, TheWidestColumnsGiveWayFirstAndDetailIsCutWithAMark) {
  auto at = [](size_t w) { return TableLayout::for_width(w); };
  // Unlimited: every column at its full width.
  EXPECT_EQ(at(0).widths, (std::array<size_t, 9>{12, 7, 15, 6, 24, 28, 8, 4, 8}));
  // 100 columns: SOCKET, UID and BYTES are left out before the caller's
  // name and container shrink below what a `docker ps` name needs.
  auto l = at(100);
  EXPECT_EQ(l.widths[0], 12u);  // TIME
  EXPECT_EQ(l.widths[6], 8u);   // ACTION
  EXPECT_EQ(l.widths[5], 0u);   // SOCKET
  EXPECT_GE(l.widths[4], 16u);  // CONTAINER
  EXPECT_GE(l.widths[2], 10u);  // COMM
  EXPECT_GE(l.detail, 32u);
  size_t sum = l.detail;
  for (size_t w : l.widths)
    if (w) sum += w + 1;
  EXPECT_EQ(sum, 100u);
  // A long request is cut at the edge with "...".
  std::ostringstream out;
  TablePrinter t(out, false, 100);
  t.print(hostile_rows()[1]);
  std::string row = lines(out.str())[0];
  EXPECT_EQ(shown_columns(row), 100u);
  EXPECT_EQ(row.substr(row.size() - 3), "...");
  EXPECT_NE(row.find("POST /containers/create/aaa"), std::string::npos) << row;
}

TEST(TraceTable, WidthZeroKeepsFullRows) {
  std::ostringstream out;
  TablePrinter t(out, false, 0);
  t.print(hostile_rows()[1]);
  // The request brief is capped at 120 columns, not at any terminal.
  EXPECT_GT(shown_columns(lines(out.str())[0]), 200u);
}

TEST(TraceView, ParsesOnlyTheTwoNames) {
  EXPECT_EQ(parse_trace_view("requests"), TraceView::Requests);
  EXPECT_EQ(parse_trace_view("all"), TraceView::All);
  EXPECT_FALSE(parse_trace_view("Requests"));
  EXPECT_FALSE(parse_trace_view(""));
  EXPECT_FALSE(parse_trace_view("all "));
}

TEST(TraceView, RequestsViewLeavesOutOnlyCleanSendsAndReplies) {
  auto e = [](const std::string& action, const std::string& outcome = "success") {
    Event x;
    x.action = action;
    x.outcome = outcome;
    return x;
  };
  for (const char* a : {"connect", "request", "existing-connection", "lost", "flood-suppressed", "enforcement-gap",
                        "agent-gap"}) {
    EXPECT_TRUE(shown_in_view(e(a), TraceView::Requests)) << a;
    EXPECT_TRUE(shown_in_view(e(a), TraceView::All)) << a;
  }
  EXPECT_TRUE(shown_in_view(e("connect", "failure"), TraceView::Requests));
  EXPECT_FALSE(shown_in_view(e("send"), TraceView::Requests));
  EXPECT_FALSE(shown_in_view(e("reply"), TraceView::Requests));
  EXPECT_FALSE(shown_in_view(e("reply", "unknown"), TraceView::Requests));
  EXPECT_TRUE(shown_in_view(e("send", "failure"), TraceView::Requests));
  EXPECT_TRUE(shown_in_view(e("send"), TraceView::All));
  EXPECT_TRUE(shown_in_view(e("reply"), TraceView::All));
}

TEST(TraceSummary, TopCallersNamesTheContainerAsTheRowsDo) {
  Event e = caller_event("connect");
  e.raw.uid = 0;
  e.raw.tgid = 77;
  Event unnamed = e;  // the first event of the caller before its name was resolved
  ContainerInfo c;
  c.ref.id = kId;
  c.name = "attacker";
  e.container = c;
  CallerSummary s;
  s.add(unnamed);
  s.add(e);
  Event host = caller_event("send");
  host.raw.tgid = 78;
  host.cgroup_path = "/user.slice/user-0.slice/session-3.scope";
  host.flags.clear();
  s.add(host);

  std::ostringstream rows;
  TablePrinter(rows, false).print(e);
  EXPECT_EQ(container_label(e), "attacker");
  EXPECT_NE(rows.str().find("attacker"), std::string::npos);

  std::ostringstream sum;
  s.print(sum);
  auto ls = lines(sum.str());
  ASSERT_GE(ls.size(), 4u);
  EXPECT_NE(ls[1].find("CONTAINER"), std::string::npos) << ls[1];
  bool named = false, host_row = false;
  for (const auto& l : ls) {
    if (l.find("     77 ") == 0) named = l.find("attacker") != std::string::npos && l.find(kId.substr(0, 12)) == std::string::npos;
    if (l.find("     78 ") == 0) host_row = l.find("session-3.scope") != std::string::npos;
  }
  EXPECT_TRUE(named) << sum.str();
  EXPECT_TRUE(host_row) << sum.str();
  auto j = s.to_json();
  EXPECT_EQ(j["summary"]["callers"][0]["container"], "attacker");

  // Narrow terminals: every summary line fits.
  for (size_t width : {30u, 60u, 80u, 100u}) {
    std::ostringstream narrow;
    s.print(narrow, 10, width);
    for (const auto& l : lines(narrow.str())) EXPECT_LE(shown_columns(l), width) << width << ": " << l;
  }
}

TEST(TraceWidth, TerminalWidthElseColumnsElse80AndUnlimitedOffATerminal) {
  EXPECT_EQ(choose_width(true, 100, "50"), 100u);
  EXPECT_EQ(choose_width(true, 0, "132"), 132u);  // a pty nobody sized
  EXPECT_EQ(choose_width(true, std::nullopt, "132"), 132u);
  EXPECT_EQ(choose_width(true, std::nullopt, "abc"), 80u);
  EXPECT_EQ(choose_width(true, std::nullopt, "-5"), 80u);
  EXPECT_EQ(choose_width(true, std::nullopt, nullptr), 80u);
  EXPECT_EQ(choose_width(false, 100, "132"), 0u);
  EXPECT_EQ(choose_width(true, 99999, nullptr), 10000u);
}

}  // namespace
}  // namespace sockwarden
