#include "format/trace_view.h"

namespace sockwarden {

std::optional<TraceView> parse_trace_view(std::string_view name) {
  if (name == "requests") return TraceView::Requests;
  if (name == "all") return TraceView::All;
  return std::nullopt;
}

bool shown_in_view(const Event& e, TraceView view) {
  if (view == TraceView::All) return true;
  if (e.action == "send"sv || e.action == "reply"sv) return e.outcome == "failure";
  return true;
}

}  // namespace sockwarden
