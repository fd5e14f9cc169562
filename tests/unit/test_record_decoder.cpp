#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "capture/record_decoder.h"
#include "events.h"

using namespace sockwarden;

namespace {
std::vector<char> record(uint16_t type, const std::string& payload, uint32_t claimed_len) {
  std::vector<char> buf(sizeof(sw_event) + payload.size());
  sw_event h{};
  h.type = type;
  h.tier = SW_TIER_SOCKET_TP;
  h.flags = SW_F_TRUNCATED;
  h.ts_boot_ns = 123;
  h.pid = 11;
  h.tgid = 10;
  h.ppid = 1;
  h.uid = 1000;
  h.gid = 100;
  h.watch_id = 3;
  h.cgroup_id = 77;
  h.pidns = 4026531836u;
  h.mntns = 4026531841u;
  h.netns = 4026531840u;
  h.fd = 5;
  h.sock_ino = 999;
  h.sock_dev = (254u << 20) | 1;
  h.result = -13;
  h.client_sock_ino = 4242;
  h.bytes = 8192;
  std::memcpy(h.comm, "docker", 6);
  h.payload_len = claimed_len;
  std::memcpy(buf.data(), &h, sizeof h);
  std::memcpy(buf.data() + sizeof h, payload.data(), payload.size());
  return buf;
}
}  // namespace

TEST(RecordDecoder, DecodesEveryField) {
  auto buf = record(SW_EV_SEND, std::string("GET /\0x", 7), 7);
  auto e = decode_record(buf.data(), buf.size());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, EventKind::Send);
  EXPECT_EQ(e->tier, SW_TIER_SOCKET_TP);
  EXPECT_EQ(e->flags, SW_F_TRUNCATED);
  EXPECT_EQ(e->ts_boot_ns, 123u);
  EXPECT_EQ(e->pid, 11u);
  EXPECT_EQ(e->tgid, 10u);
  EXPECT_EQ(e->ppid, 1u);
  EXPECT_EQ(e->uid, 1000u);
  EXPECT_EQ(e->gid, 100u);
  EXPECT_EQ(e->watch_id, 3u);
  EXPECT_EQ(e->cgroup_id, 77u);
  EXPECT_EQ(e->pidns, 4026531836u);
  EXPECT_EQ(e->mntns, 4026531841u);
  EXPECT_EQ(e->netns, 4026531840u);
  EXPECT_EQ(e->fd, 5);
  EXPECT_EQ(e->sock_ino, 999u);
  EXPECT_EQ(e->sock_dev, (254u << 20) | 1);
  EXPECT_EQ(e->result, -13);
  EXPECT_EQ(e->client_sock_ino, 4242u);
  EXPECT_EQ(e->bytes, 8192u);
  EXPECT_EQ(e->comm, "docker");
  EXPECT_EQ(e->payload, std::string("GET /\0x", 7));
}

TEST(RecordDecoder, RejectsShortRecords) {
  auto buf = record(SW_EV_CONNECT, "", 0);
  EXPECT_FALSE(decode_record(buf.data(), sizeof(sw_event) - 1));
  EXPECT_FALSE(decode_record(nullptr, 0));
  EXPECT_TRUE(decode_record(buf.data(), buf.size()));
}

TEST(RecordDecoder, RejectsPayloadLongerThanRecord) {
  auto buf = record(SW_EV_SEND, "abc", 4);  // claims one byte more than it carries
  EXPECT_FALSE(decode_record(buf.data(), buf.size()));
  auto huge = record(SW_EV_SEND, "abc", SW_PAYLOAD_MAX + 1);
  EXPECT_FALSE(decode_record(huge.data(), huge.size()));
}

TEST(RecordDecoder, RejectsUnknownType) {
  auto buf = record(99, "", 0);
  EXPECT_FALSE(decode_record(buf.data(), buf.size()));
}

TEST(RecordDecoder, CommWithoutTerminatorIsBounded) {
  auto buf = record(SW_EV_CONNECT, "", 0);
  std::memset(buf.data() + offsetof(sw_event, comm), 'x', SW_COMM_LEN);
  auto e = decode_record(buf.data(), buf.size());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->comm, std::string(SW_COMM_LEN, 'x'));
}
