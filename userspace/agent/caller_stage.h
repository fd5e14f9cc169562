// Stage 3 of the pipeline: who is the caller to us? Flags from the
// expected-caller policy (container-originated, namespaced,
// unexpected-caller) and relay detection. Agent events (lost, heartbeat, ...)
// have no caller and pass untouched.
#pragma once
#include <chrono>
#include <utility>

#include "classify/caller_classifier.h"
#include "classify/caller_policy.h"
#include "classify/relay_detector.h"
#include "model/event.h"

namespace sockwarden {

class CallerStage {
 public:
  CallerStage(CallerPolicy policy, HostNamespaces host, RelayDetector& relays)
      : policy_(std::move(policy)), host_(host), relays_(relays) {}

  void classify(Event& e, std::chrono::steady_clock::time_point now) {
    if (e.is_agent_event()) return;
    classify_caller(e, policy_, host_);
    relays_.annotate(e, now);
  }

  const CallerPolicy& policy() const { return policy_; }
  // SIGHUP: the new policy applies from the next event on.
  void set_policy(CallerPolicy policy) { policy_ = std::move(policy); }

 private:
  CallerPolicy policy_;
  HostNamespaces host_;
  RelayDetector& relays_;
};

}  // namespace sockwarden
