#include "agent/loss_reporter.h"

#include <utility>

#include "agent/wall_clock.h"

namespace sockwarden {

std::vector<Event> LossReporter::collect(bool final_report) {
  std::vector<Event> out;
  // What flood budgets held back: one summary per process and window.
  for (auto& f : floods_.poll(std::chrono::steady_clock::now(), final_report)) {
    f.who.tier = capture_.tier().abi_id;
    out.push_back(builder_.flood_suppressed(std::move(f.who), f.counts));
  }
  auto c = capture_.counters();
  auto check = [&](uint64_t now, uint64_t& before, const char* cause) {
    if (now > before) out.push_back(builder_.lost(now - before, cause, now_realtime_ns()));
    before = now;
  };
  check(c.ringbuf_drops, reported_.ringbuf_drops, "ringbuf-full");
  check(c.scratch_miss, reported_.scratch_miss, "task-state-unavailable");
  check(c.decode_errors, reported_.decode_errors, "decode-error");
  check(c.proc_drops, reported_.proc_drops, "process-records-lost");
  check(correlator_.overflowed(), correlator_overflow_reported_, "connect-table-full");
  // Connections whose decoding state was dropped to stay within --decoder-budget-mb.
  check(requests_.stats().budget_evicted_connections, decoder_budget_reported_, "decoder-budget");
  for (auto& [cause, n] : sink_.take_losses()) out.push_back(builder_.lost(n, cause, now_realtime_ns()));
  reported_ = c;
  return out;
}

}  // namespace sockwarden
