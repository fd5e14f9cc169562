// Memory bombs through a real watched socket to a real `sockwarden run`: the
// inputs from issue 20 that grew the agent by hundreds of MiB (an HPACK block
// repeating a 4,000-byte dynamic-table entry 256 times on 128 open streams,
// three connections; a JSON body nested a million deep with --request-budget
// raised; thousands of Content-Length / Transfer-Encoding values in one
// request; 120 connections holding bodies against --decoder-budget-mb 4, whose
// evictions must be reported). Each must leave the agent alive, its high-water mark (VmHWM) under
// kHwmBoundMiB, and the next ordinary request still reported.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

// The bound the test holds the agent to: docs/request-decoding.md's worst case for the
// default configuration is about 64 MiB of decoder budget on top of a base of
// 8 MiB ring buffer, BPF maps and the binary; the bombs, unbounded, reached
// 417 MiB. Half the DaemonSet's 256 MiB limit.
constexpr uint64_t kHwmBoundMiB = 128;

uint64_t vm_hwm_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

// Writes all of buf to fd in chunks of at most 'chunk' bytes (each write within
// the payload cap, so the decoder sees every byte), pausing now and then so the
// ring buffer is drained rather than overrun.
bool write_chunks(int fd, const std::string& buf, size_t chunk) {
  size_t off = 0, n = 0;
  while (off < buf.size()) {
    ssize_t w = write(fd, buf.data() + off, std::min(chunk, buf.size() - off));
    if (w <= 0) return false;
    off += static_cast<size_t>(w);
    if (++n % 32 == 0) usleep(2000);
  }
  return true;
}

std::string h2_frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  std::string f;
  uint32_t len = static_cast<uint32_t>(payload.size());
  f += static_cast<char>(len >> 16);
  f += static_cast<char>(len >> 8);
  f += static_cast<char>(len);
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  f += static_cast<char>((stream >> 24) & 0x7f);
  f += static_cast<char>(stream >> 16);
  f += static_cast<char>(stream >> 8);
  f += static_cast<char>(stream);
  return f + payload;
}

// HPACK integer with an n-bit prefix (RFC 7541 5.1), first byte ORed with 'high'.
std::string hpack_int(uint64_t v, int prefix_bits, uint8_t high) {
  std::string s;
  uint64_t max = (1u << prefix_bits) - 1;
  if (v < max) return std::string(1, static_cast<char>(high | v));
  s += static_cast<char>(high | max);
  v -= max;
  while (v >= 128) {
    s += static_cast<char>(0x80 | (v & 0x7f));
    v >>= 7;
  }
  return s + static_cast<char>(v);
}

// One connection of the bomb: the first block indexes a 4,000-byte value
// (dynamic index 62); 128 more streams, left open, each repeat it 256 times.
std::vector<std::string> hpack_bomb_writes() {
  const std::string path = "/containerd.services.tasks.v1.Tasks/Create";
  std::string first = "\x83";                                              // :method POST
  first += hpack_int(4, 4, 0x00) + hpack_int(path.size(), 7, 0) + path;  // :path, literal
  first += std::string("\x40") + hpack_int(6, 7, 0) + "x-bomb" + hpack_int(4000, 7, 0) + std::string(4000, 'B');
  std::vector<std::string> writes{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", h2_frame(1, 0x4, 1, first)};
  std::string repeat = "\x83\x84" + std::string(256, '\xbe');  // POST, :path /, entry 62 x256
  for (uint32_t i = 0; i < 128; i++) writes.push_back(h2_frame(1, 0x4, 3 + 2 * i, repeat));
  return writes;
}

class HostileMemoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u);
    sock_ = dir_.path + "/docker.sock";
    listener_ = std::make_unique<Listener>(sock_);
  }
  // Runs the agent, lets 'attack' (in forked children) do its worst, then sends
  // one ordinary request; checks survival, the memory bound, and that request.
  void run_attack(const std::string& extra_args, const std::function<void()>& attack) {
    const std::string args = "run --no-default-sockets --socket " + sock_ + " --tier " + GetParam() +
                             " --payload-cap 16384 --duration 8 " + extra_args;
    uint64_t hwm_kib = 0;
    pid_t ordinary = 0;
    auto r = run_binary_with_pid(args, [&](pid_t agent) {
      attack();
      usleep(1500 * 1000);  // the agent drains what the attack queued
      ordinary = run_child([&] {
        int fd = connect_unix(sock_);
        if (fd < 0) return 1;
        std::string req = "GET /v1.41/containers/json?after-attack=1 HTTP/1.1\r\nHost: docker\r\n\r\n";
        if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return 2;
        usleep(200 * 1000);
        return 0;
      });
      usleep(1500 * 1000);
      hwm_kib = vm_hwm_kib(agent);
    });
    ASSERT_EQ(r.exit_code, 0) << "the agent must survive: " << r.out.substr(0, 2000);
    EXPECT_GT(hwm_kib, 0u);
    EXPECT_LT(hwm_kib / 1024, kHwmBoundMiB) << "agent VmHWM " << hwm_kib << " KiB";
    std::cout << "[ hostile ] " << ::testing::UnitTest::GetInstance()->current_test_info()->name()
              << ": agent VmHWM " << hwm_kib / 1024 << " MiB\n";
    bool seen = false;
    for (const auto& e : with_action(r, "request", ordinary))
      seen = seen || e["url"]["original"] == "/v1.41/containers/json?after-attack=1";
    EXPECT_TRUE(seen) << "the request after the attack is reported";
    last_ = std::move(r);
  }
  TempDir dir_;
  std::string sock_;
  std::unique_ptr<Listener> listener_;
  swtest::Run last_;
};

TEST_P(HostileMemoryTest, HpackIndexedRepeatsOnThreeConnections) {
  const auto writes = hpack_bomb_writes();
  std::vector<pid_t> bombers;
  run_attack("", [&] {
    for (int c = 0; c < 3; c++)
      bombers.push_back(spawn([&] {
        int fd = connect_unix(sock_);
        if (fd < 0) return 1;
        for (const auto& w : writes)
          if (!write_chunks(fd, w, 16384)) return 2;
        usleep(2500 * 1000);  // streams stay open while the agent is measured
        return 0;
      }));
    usleep(500 * 1000);
  });
  for (pid_t p : bombers) EXPECT_EQ(reap(p), 0);
  // The capped header lists are reported, not silently dropped.
  size_t cut = 0;
  for (pid_t p : bombers)
    for (const auto& e : with_action(last_, "request", p))
      for (const auto& a : e["sockwarden"]["request"].value("anomalies", json::array()))
        cut += a == "header-list-too-large";
  EXPECT_GT(cut, 0u) << "streams whose headers were capped carry header-list-too-large";
}

TEST_P(HostileMemoryTest, DeeplyNestedJsonBodyWithBudgetRaised) {
  const size_t kDepth = 1000000;
  std::string body = "{\"Image\":\"alpine\",\"Cmd\":" + std::string(kDepth, '[') + std::string(kDepth, ']') + "}";
  std::string req = "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  pid_t sender = 0;
  run_attack("--request-budget 16777216", [&] {
    sender = run_child([&] {
      int fd = connect_unix(sock_);
      if (fd < 0) return 1;
      return write_chunks(fd, req, 16384) ? 0 : 2;
    });
  });
  bool flagged = false;
  for (const auto& e : with_action(last_, "request", sender))
    for (const auto& a : e["sockwarden"]["request"].value("anomalies", json::array()))
      flagged = flagged || a == "json-too-deep";
  EXPECT_TRUE(flagged) << "the refused body is reported as json-too-deep";
}

TEST_P(HostileMemoryTest, ThousandsOfLengthAndEncodingHeaders) {
  // 2,000 Transfer-Encoding lines of 1,000 codings each and 2,000 distinct
  // Content-Length values, all in one request head: 2 million codings and
  // their strings were kept per request before the caps.
  std::string head = "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\n";
  std::string codings;
  for (int i = 0; i < 1000; i++) codings += "x,";
  for (int i = 0; i < 2000; i++) {
    head += "Transfer-Encoding: " + codings + "\r\n";
    head += "Content-Length: " + std::to_string(1000000000 + i) + "\r\n";
  }
  head += "\r\n";
  pid_t sender = 0;
  run_attack("", [&] {
    sender = run_child([&] {
      int fd = connect_unix(sock_);
      if (fd < 0) return 1;
      return write_chunks(fd, head, 16384) ? 0 : 2;
    });
  });
  bool flagged = false;
  for (const auto& e : with_action(last_, "request", sender))
    for (const auto& a : e["sockwarden"]["request"].value("anomalies", json::array()))
      flagged = flagged || a == "unsupported-transfer-encoding" || a == "conflicting-content-length";
  EXPECT_TRUE(flagged) << "the request is still reported with its framing anomalies";
}

TEST_P(HostileMemoryTest, DecoderBudgetEvictsAndReportsThroughTheAgent) {
  // 120 connections each holding ~60 KiB of a create body in progress: 7 MiB of
  // decoder state against --decoder-budget-mb 4. The least recently written go,
  // counted in lost events (cause decoder-budget), and decoding goes on.
  pid_t holder = 0;
  run_attack("--decoder-budget-mb 4", [&] {
    holder = spawn([&] {
      std::vector<int> fds;
      const std::string head = "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Length: 100000\r\n\r\n{";
      for (int c = 0; c < 120; c++) {
        int fd = connect_unix(sock_);
        if (fd < 0) return 1;
        fds.push_back(fd);
        if (!write_chunks(fd, head + std::string(60000, ' '), 15000)) return 2;
        usleep(1000);
      }
      usleep(3500 * 1000);  // held open while the agent is measured
      return 0;
    });
    usleep(1500 * 1000);
  });
  EXPECT_EQ(reap(holder), 0);
  uint64_t lost = 0;
  for (const auto& e : with_action(last_, "lost"))
    if (e["sockwarden"]["lost"]["cause"] == "decoder-budget") lost += e["sockwarden"]["lost"]["count"].get<uint64_t>();
  EXPECT_GT(lost, 0u) << "evictions for the budget are reported as lost events";
  size_t flagged = 0;
  for (const auto& e : with_action(last_, "request", holder))
    for (const auto& a : e["sockwarden"]["request"].value("anomalies", json::array()))
      flagged += a == "decoder-budget-evicted";
  EXPECT_EQ(flagged, lost) << "each evicted connection's request in progress is reported";
}

INSTANTIATE_TEST_SUITE_P(Tiers, HostileMemoryTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
