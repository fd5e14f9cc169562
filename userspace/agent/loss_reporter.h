// Beside the pipeline: drops are never silent. Every 500 ms (and at exit) the
// counters of everything that can drop (the kernel's ring buffer and task
// state, the connect table, the decoders' memory budget, the sinks' queues)
// are compared with what was already reported, and each increase becomes a
// `lost` event with its cause. What per-process flood budgets held back
// becomes `flood-suppressed` summaries.
#pragma once
#include <chrono>
#include <cstdint>
#include <vector>

#include "agent/request_pipeline.h"
#include "capture/capture.h"
#include "capture/flood_reader.h"
#include "decode/connect_correlator.h"
#include "enrich/event_builder.h"
#include "model/event.h"
#include "model/event_sink.h"

namespace sockwarden {

class LossReporter {
 public:
  LossReporter(Capture& capture, const ConnectCorrelator& correlator, const RequestPipeline& requests,
               EventSink& sink, EventBuilder& builder)
      : capture_(capture),
        correlator_(correlator),
        requests_(requests),
        sink_(sink),
        builder_(builder),
        floods_(capture.bpf().flood_state_fd()) {}

  // The loss and flood-summary events since the last call. `final_report`
  // closes every open flood window.
  std::vector<Event> collect(bool final_report = false);
  const KernelCounters& kernel() const { return reported_; }

 private:
  Capture& capture_;
  const ConnectCorrelator& correlator_;
  const RequestPipeline& requests_;
  EventSink& sink_;
  EventBuilder& builder_;
  FloodReader floods_;
  KernelCounters reported_{};
  uint64_t correlator_overflow_reported_ = 0;
  uint64_t decoder_budget_reported_ = 0;
};

}  // namespace sockwarden
