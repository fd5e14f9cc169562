#include "sinks/fanout.h"

#include "sinks/file_output.h"
#include "sinks/stdout_output.h"
#include "sinks/syslog_output.h"

namespace sockwarden {

std::unique_ptr<Output> make_output(const OutputConfig& cfg) {
  switch (cfg.type) {
    case OutputConfig::Type::File:
      return std::make_unique<FileOutput>(cfg);
    case OutputConfig::Type::Syslog:
      return std::make_unique<SyslogOutput>(cfg);
    case OutputConfig::Type::Stdout:
      break;
  }
  return std::make_unique<StdoutOutput>();
}

bool same_output(const OutputConfig& a, const OutputConfig& b) {
  return a.type == b.type && a.name == b.name && a.queue_size == b.queue_size && a.path == b.path &&
         a.max_size_bytes == b.max_size_bytes && a.max_files == b.max_files && a.fsync == b.fsync &&
         a.fsync_interval_ms == b.fsync_interval_ms && a.socket_path == b.socket_path && a.facility == b.facility &&
         a.app_name == b.app_name;
}

Fanout::Fanout(const std::vector<OutputConfig>& outputs) {
  for (const auto& c : outputs)
    slots_.push_back({c, std::make_unique<OutputWorker>(c.name, make_output(c), c.queue_size)});
}

Fanout::~Fanout() { stop(); }

void Fanout::submit(OutputRecord&& r) {
  std::lock_guard<std::mutex> lock(mu_);
  // The last output takes the record itself: each copy is an atomic increment of its
  // block's count that the writer thread's release then contends with (issue 18).
  for (size_t i = 0; i + 1 < slots_.size(); i++) slots_[i].worker->submit(r);
  if (!slots_.empty()) slots_.back().worker->submit(std::move(r));
}

void Fanout::wake() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : slots_) s.worker->wake();
}

void Fanout::reconfigure(const std::vector<OutputConfig>& outputs) {
  // Open the new outputs first: one that cannot be opened throws here and
  // the running outputs stay untouched.
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::unique_ptr<OutputWorker>> fresh(outputs.size());
  std::vector<int> keep(outputs.size(), -1);
  std::vector<bool> taken(slots_.size(), false);
  for (size_t i = 0; i < outputs.size(); i++) {
    for (size_t j = 0; j < slots_.size(); j++)
      if (!taken[j] && same_output(slots_[j].cfg, outputs[i])) {
        keep[i] = static_cast<int>(j);
        taken[j] = true;
        break;
      }
    if (keep[i] < 0)
      fresh[i] = std::make_unique<OutputWorker>(outputs[i].name, make_output(outputs[i]), outputs[i].queue_size);
  }
  std::vector<Slot> next;
  for (size_t i = 0; i < outputs.size(); i++)
    next.push_back({outputs[i], keep[i] >= 0 ? std::move(slots_[keep[i]].worker) : std::move(fresh[i])});
  for (auto& old : slots_)
    if (old.worker) old.worker->stop();  // drains what it already queued
  slots_ = std::move(next);
}

void Fanout::stop() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : slots_) s.worker->stop();
}

std::vector<OutputCounters> Fanout::counters() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutputCounters> out;
  for (auto& s : slots_) out.push_back(s.worker->counters());
  return out;
}

std::vector<std::pair<std::string, uint64_t>> Fanout::take_losses() {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& c : counters()) {
    auto check = [&](const std::string& cause, uint64_t now) {
      uint64_t& before = reported_[cause];
      if (now > before) out.emplace_back(cause, now - before);
      before = now;
    };
    check("output-queue-full:" + c.name, c.dropped_queue_full);
    check("output-write-failed:" + c.name, c.dropped_write_failed);
    check("output-unconfirmed:" + c.name, c.dropped_unconfirmed);
  }
  return out;
}

}  // namespace sockwarden
