#include "format/table_printer.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "events.h"

namespace sockwarden {
namespace {

const std::string kId = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

// Pins local time to UTC so TIME is predictable; restores the caller's TZ.
class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    had_tz_ = tz != nullptr;
    if (tz) old_tz_ = tz;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (had_tz_) setenv("TZ", old_tz_.c_str(), 1); else unsetenv("TZ");
    tzset();
  }

  static Event event(const std::string& action) {
    Event e;
    e.action = action;
    e.outcome = "success";
    e.realtime_ns = 1'795'380'397'123'456'789ULL;  // 20:46:37.123 UTC
    e.raw.tgid = 4242;
    e.raw.uid = 1000;
    e.raw.comm = "docker";
    e.raw.bytes = 77;
    e.process.edit().name = "docker";
    e.cgroup_path = "/system.slice/docker-" + kId + ".scope";
    e.socket_path = "/run/docker.sock";
    return e;
  }
  std::string line(const Event& e, bool color = false) {
    std::ostringstream out;
    TablePrinter(out, color).print(e);
    return out.str();
  }

  bool had_tz_ = false;
  std::string old_tz_;
};

// Column start offsets: TIME 12, PID 7, COMM 15, UID 6, CONTAINER 24, SOCKET 28, ACTION 8, FLAG 4, BYTES 8.
constexpr size_t kPid = 13, kComm = 21, kUid = 37, kCgroup = 44, kSocket = 69, kAction = 98, kFlag = 107,
                 kBytes = 112, kDetail = 121;

TEST_F(TableTest, HeaderAndRowColumnsLineUp) {
  std::ostringstream out;
  TablePrinter p(out);
  p.print_header();
  p.print(event("connect"));
  std::istringstream in(out.str());
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  EXPECT_EQ(header.substr(0, 4), "TIME");
  EXPECT_EQ(header.substr(kComm, 4), "COMM");
  EXPECT_EQ(header.substr(kCgroup, 9), "CONTAINER");
  EXPECT_EQ(header.substr(kFlag, 4), "FLAG");
  EXPECT_EQ(header.substr(kSocket, 6), "SOCKET");
  EXPECT_EQ(header.substr(kAction, 6), "ACTION");
  EXPECT_EQ(header.substr(kDetail, 6), "DETAIL");
  EXPECT_EQ(header.substr(kPid + 4, 3), "PID");      // numbers are right-aligned
  EXPECT_EQ(header.substr(kBytes + 3, 5), "BYTES");

  EXPECT_EQ(row.substr(0, 12), "20:46:37.123");
  EXPECT_EQ(row.substr(kPid, 7), "   4242");
  EXPECT_EQ(row.substr(kComm, 15), "docker         ");
  EXPECT_EQ(row.substr(kUid, 6), "  1000");
  EXPECT_EQ(row.substr(kCgroup, 12), kId.substr(0, 12));
  EXPECT_EQ(row.substr(kSocket, 16), "/run/docker.sock");
  EXPECT_EQ(row.substr(kAction, 8), "connect ");
  EXPECT_EQ(row.substr(kFlag, 4), "-   ");
  EXPECT_EQ(row.substr(kBytes, 8), "       -");  // connects carry no bytes
  EXPECT_EQ(row.size(), kDetail);                 // no detail for a clean connect
}

TEST_F(TableTest, ContainerNameAndFlagLetters) {
  Event e = event("connect");
  ContainerInfo c;
  c.ref.runtime = "docker";
  c.ref.id = kId;
  c.name = "attacker";
  e.container = c;
  e.flags = {"container-originated", "unexpected-caller"};
  std::string row = line(e);
  EXPECT_EQ(row.substr(kCgroup, 9), "attacker ");
  EXPECT_EQ(row.substr(kFlag, 4), "CU  ");
  EXPECT_NE(row.find("[container-originated,unexpected-caller]"), std::string::npos) << row;
}

TEST_F(TableTest, SendShowsFirstPayloadLineEscaped) {
  Event e = event("send");
  e.raw.payload = "POST /containers/create HTTP/1.1\r\nHost: docker\r\n\r\n{}";
  std::string row = line(e);
  EXPECT_EQ(row.substr(kBytes, 8), "      77");
  EXPECT_EQ(row.substr(kDetail), "POST /containers/create HTTP/1.1\n");
}

TEST_F(TableTest, LongBinaryPayloadIsCutAt60WithoutSplittingEscapes) {
  Event e = event("send");
  e.raw.payload = std::string("PRI * HTTP/2.0") + std::string(100, '\x01');
  std::string detail = line(e).substr(kDetail);
  detail.pop_back();  // newline
  EXPECT_LE(detail.size(), 60u);
  EXPECT_EQ(detail.substr(0, 18), "PRI * HTTP/2.0\\x01");
  EXPECT_EQ(detail.substr(detail.size() - 7), "\\x01...");
}

TEST_F(TableTest, FailureShowsErrorAndBangAndFlags) {
  Event e = event("connect");
  e.outcome = "failure";
  e.error = "EACCES";
  e.raw.flags = SW_F_FD_UNKNOWN | SW_F_RESULT_KNOWN;
  e.raw.result = -13;
  std::string row = line(e);
  EXPECT_EQ(row.substr(kAction, 8), "connect!");
  EXPECT_EQ(row.substr(kDetail), "EACCES [fd-unknown]\n");

  e.error.reset();
  EXPECT_EQ(line(e).substr(kDetail), "result=-13 [fd-unknown]\n");
}

TEST_F(TableTest, LostEvent) {
  Event e;
  e.action = "lost";
  e.lost = 12;
  e.lost_cause = "ringbuf-full";
  e.realtime_ns = 1'795'380'397'000'000'000ULL;
  std::string row = line(e);
  EXPECT_EQ(row.substr(kPid, 7), "      -");
  EXPECT_EQ(row.substr(kAction, 8), "lost    ");
  EXPECT_EQ(row.substr(kDetail), "12 lost (ringbuf-full)\n");
}

TEST_F(TableTest, LongSocketPathIsLeftTruncated) {
  Event e = event("send");
  e.socket_path = "/var/lib/kubelet/pods/abcdef/volumes/kubernetes.io~empty-dir/run/containerd.sock";
  std::string cell = line(e).substr(kSocket, 28);
  EXPECT_EQ(cell, "...y-dir/run/containerd.sock");
}

TEST_F(TableTest, UntrustedTextCannotInjectTerminalControls) {
  Event e = event("send");
  e.process.edit().name = "\x1b[2Jevil";
  e.raw.payload = "\x1b]0;title\x07";
  std::string row = line(e);
  EXPECT_EQ(row.find('\x1b'), std::string::npos);
  EXPECT_EQ(row.find('\x07'), std::string::npos);
  EXPECT_EQ(row.substr(kComm, 15), "\\x1b[2Jevil    ");
}

TEST_F(TableTest, ColorWrapsOnlyTheActionText) {
  Event e = event("connect");
  e.outcome = "failure";
  e.error = "ECONNREFUSED";
  std::string colored = line(e, true);
  std::string plain = line(e, false);
  EXPECT_NE(colored.find("\033[31mconnect!\033[0m"), std::string::npos);
  // Removing the escape codes gives back exactly the plain row.
  std::string stripped = colored;
  for (const char* code : {"\033[31m", "\033[0m"}) stripped.erase(stripped.find(code), std::string(code).size());
  EXPECT_EQ(stripped, plain);
  // No colour on a clean event.
  EXPECT_EQ(line(event("send"), true).find('\033'), std::string::npos);
}

TEST(ShortCgroup, PicksContainerIdOrLastComponent) {
  EXPECT_EQ(short_cgroup("/docker/" + kId), kId.substr(0, 12));
  EXPECT_EQ(short_cgroup("/system.slice/docker-" + kId + ".scope"), kId.substr(0, 12));
  const std::string other(64, 'e');
  EXPECT_EQ(short_cgroup("/kubepods.slice/kubepods-pod" + other + ".slice/cri-containerd-" + kId + ".scope"),
            kId.substr(0, 12));  // the last id wins
  EXPECT_EQ(short_cgroup("/user.slice/user-1000.slice/session-2.scope"), "session-2.scope");
  EXPECT_EQ(short_cgroup("/"), "/");
  EXPECT_EQ(short_cgroup(""), "-");
  // 63 or 65 hex digits are not a container id.
  EXPECT_EQ(short_cgroup("/x/" + std::string(63, 'a')), std::string(21, 'a') + "...");
  EXPECT_EQ(short_cgroup("/system.slice/a-very-long-unit-name-for-a-service.service").size(), 24u);
}

TEST(FitHelpers, CutAndEscape) {
  EXPECT_EQ(fit_left("abcdef", 6), "abcdef");
  EXPECT_EQ(fit_left("abcdefgh", 6), "...fgh");
  EXPECT_EQ(fit_right("abcdefgh", 6), "abc...");
  EXPECT_EQ(fit_right(std::string("ab\x01", 3), 7), "ab\\x01");
  EXPECT_EQ(fit_right(std::string("a\x01\x02", 3), 8), "a\\x01...");
  EXPECT_EQ(fit_right(std::string("a\x01\x02", 3), 7), "a...");  // never half an escape
  EXPECT_EQ(fit_left(std::string("\x01\x02z", 3), 7), "...z");
}

}  // namespace
}  // namespace sockwarden
