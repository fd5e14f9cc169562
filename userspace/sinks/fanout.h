// Several outputs at once: each record is serialised once by the caller and
// handed to every output's own queue. Nothing here blocks the caller.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sinks/output_config.h"
#include "sinks/output_worker.h"

namespace sockwarden {

// Builds the Output for one config entry (throws UserError if a file cannot be opened).
std::unique_ptr<Output> make_output(const OutputConfig& cfg);

class Fanout {
 public:
  explicit Fanout(const std::vector<OutputConfig>& outputs);
  ~Fanout();

  void submit(OutputRecord&& r);
  // After a batch of submits (the capture loop's idle step): wakes writers with records waiting.
  void wake();
  // Swap in new outputs (SIGHUP). Outputs whose config did not change keep
  // their queue and counters; the others are drained and closed.
  void reconfigure(const std::vector<OutputConfig>& outputs);
  // Drain and close everything (agent exit).
  void stop();

  std::vector<OutputCounters> counters();
  // Drops since the last call: {"output-queue-full:NAME" | "output-write-failed:NAME" |
  // "output-unconfirmed:NAME", count}.
  std::vector<std::pair<std::string, uint64_t>> take_losses();

 private:
  struct Slot {
    OutputConfig cfg;
    std::unique_ptr<OutputWorker> worker;
  };
  std::mutex mu_;  // reconfigure vs. counters (both on the agent thread today; cheap insurance)
  std::vector<Slot> slots_;
  std::map<std::string, uint64_t> reported_;
};

bool same_output(const OutputConfig& a, const OutputConfig& b);

}  // namespace sockwarden
