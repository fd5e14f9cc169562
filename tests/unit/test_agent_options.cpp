#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "capture/errors.h"
#include "agent/agent.h"
#include "events.h"

namespace sockwarden {
namespace {

// Runs validate_agent_options and returns the UserError it threw; fails the
// test if it did not throw one with kExitUsage.
std::string usage_error(const AgentOptions& o) {
  try {
    validate_agent_options(o);
  } catch (const UserError& e) {
    EXPECT_EQ(e.code(), kExitUsage) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "validate_agent_options did not throw";
  return "";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "'" << (haystack) << "' lacks '" << (needle) << "'"

TEST(AgentOptions, DefaultsAreValid) {
  AgentOptions o;
  EXPECT_NO_THROW(validate_agent_options(o));
}

TEST(AgentOptions, ValidNonDefaultsPass) {
  AgentOptions o;
  o.tier = "socket-tp";
  EXPECT_NO_THROW(validate_agent_options(o));
  o.tier = "syscall-tp";
  o.payload_cap = SW_PAYLOAD_MAX;  // the cap itself is allowed
  o.ringbuf_kb = 4;
  o.duration_sec = 2.5;
  o.sockets = {"/tmp/x.sock", "@abstract", "/run/user/*/docker.sock"};
  o.no_default_sockets = true;
  o.pids = {1, 2};
  EXPECT_NO_THROW(validate_agent_options(o));
  o.payload_cap = 0;
  o.ringbuf_kb = 1u << 20;
  o.duration_sec = 0;
  EXPECT_NO_THROW(validate_agent_options(o));
}

TEST(AgentOptions, UnknownTier) {
  AgentOptions o;
  o.tier = "kprobe";
  auto msg = usage_error(o);
  EXPECT_CONTAINS(msg, "--tier");
  EXPECT_CONTAINS(msg, "kprobe");
  // It lists the valid choices.
  EXPECT_CONTAINS(msg, "socket-tp");
  EXPECT_CONTAINS(msg, "syscall-tp");
  o.tier = "";
  EXPECT_CONTAINS(usage_error(o), "--tier");
}

TEST(AgentOptions, PayloadCapAboveMaximum) {
  AgentOptions o;
  o.payload_cap = SW_PAYLOAD_MAX + 1;
  auto msg = usage_error(o);
  EXPECT_CONTAINS(msg, "--payload-cap");
  EXPECT_CONTAINS(msg, "16384");
}

TEST(AgentOptions, RingbufNotPowerOfTwoOrOutOfRange) {
  for (uint32_t kb : {3000u, 6u, 0u, 1u, 2u, (1u << 20) * 2, 4097u}) {
    AgentOptions o;
    o.ringbuf_kb = kb;
    auto msg = usage_error(o);
    EXPECT_CONTAINS(msg, "--ringbuf-kb");
    EXPECT_CONTAINS(msg, std::to_string(kb));
  }
}

TEST(AgentOptions, NegativeDuration) {
  AgentOptions o;
  o.duration_sec = -1;
  EXPECT_CONTAINS(usage_error(o), "--duration");
  o.duration_sec = -0.001;
  EXPECT_CONTAINS(usage_error(o), "--duration");
}

TEST(AgentOptions, NoDefaultSocketsNeedsASocket) {
  AgentOptions o;
  o.no_default_sockets = true;
  EXPECT_CONTAINS(usage_error(o), "--no-default-sockets");
  o.sockets = {"/tmp/a.sock"};
  EXPECT_NO_THROW(validate_agent_options(o));
}

TEST(AgentOptions, BadSocketSpecs) {
  AgentOptions o;
  const std::string too_long = "/" + std::string(SW_UNIX_PATH_MAX, 'a');
  o.sockets = {"/tmp/ok.sock", too_long};
  auto msg = usage_error(o);
  EXPECT_CONTAINS(msg, "--socket");
  EXPECT_CONTAINS(msg, too_long);  // names the offending value

  o.sockets = {""};
  EXPECT_CONTAINS(usage_error(o), "--socket");
  o.sockets = {"@"};
  EXPECT_CONTAINS(usage_error(o), "--socket");
}

TEST(AgentOptions, UserErrorCarriesHintAndCode) {
  UserError e(kExitUsage, "what", "hint");
  EXPECT_EQ(e.code(), kExitUsage);
  EXPECT_EQ(e.hint(), "hint");
  EXPECT_STREQ(e.what(), "what");
  EXPECT_EQ(static_cast<int>(kExitUsage), 2);
}

}  // namespace
}  // namespace sockwarden
