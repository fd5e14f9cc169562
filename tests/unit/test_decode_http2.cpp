// HTTP/2 + gRPC decoding: preface, frames, HPACK state across requests,
// CRI and containerd request bodies, gaps and bounds.
#include <gtest/gtest.h>

#include "decode/protobuf_wire.h"
#include "decode_test_util.h"

namespace sockwarden {
namespace {
using namespace test;

const std::string kPreface(Http2Decoder::kPreface);
const std::string kSettings = h2_frame(4, 0, 0, "");

// CRI CreateContainerRequest: privileged, a host mount of /, SYS_ADMIN, host pid.
std::string cri_create() {
  std::string caps = pb_len(1, "SYS_ADMIN");
  std::string ns = pb_int(2, 2);  // pid: NODE
  std::string sc = pb_len(1, caps) + pb_int(2, 1) + pb_len(3, ns);
  std::string linux_cfg = pb_len(2, sc);
  std::string mount = pb_len(1, "/host") + pb_len(2, "/");
  std::string env = pb_len(1, "API_KEY") + pb_len(2, "topsecret");
  std::string cfg = pb_len(1, pb_len(1, "evil")) + pb_len(2, pb_len(1, "busybox:1")) + pb_len(3, "sh") +
                    pb_len(6, env) + pb_len(7, mount) + pb_len(15, linux_cfg);
  return pb_len(1, "sandbox123") + pb_len(2, cfg);
}

TEST(DecodeHttp2, CriCreateContainer) {
  HpackEncoder enc;
  std::string s = kPreface + kSettings + grpc_call(enc, 1, "/runtime.v1.RuntimeService/CreateContainer", cri_create());
  auto r = feed_whole(s);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].protocol, "http/2");
  EXPECT_EQ(r[0].path, "/runtime.v1.RuntimeService/CreateContainer");
  EXPECT_EQ(r[0].grpc_service, "runtime.v1.RuntimeService");
  EXPECT_EQ(r[0].grpc_method, "CreateContainer");
  EXPECT_EQ(r[0].operation, "cri-create-container");
  EXPECT_EQ(r[0].user_agent, "grpc-go/1.59.0");
  for (const char* f : {"privileged", "host-mount", "runtime-socket-mount", "cap-add", "host-pid"})
    EXPECT_TRUE(r[0].has_risk(f)) << f;
  EXPECT_EQ(r[0].summary["name"], "evil");
  EXPECT_EQ(r[0].summary["image"], "busybox:1");
  EXPECT_EQ(r[0].summary["env"], Json::array({"API_KEY"}));
  EXPECT_EQ(r[0].summary.dump().find("topsecret"), std::string::npos);
}

TEST(DecodeHttp2, HpackStateCarriesAcrossRequestsAndWriteSplits) {
  HpackEncoder enc;
  // The second call's headers are mostly indexed from the dynamic table filled by the first.
  std::string s = kPreface + kSettings;
  s += grpc_call(enc, 1, "/containerd.services.tasks.v1.Tasks/Create", pb_len(1, "c1"), "moby");
  s += grpc_call(enc, 3, "/containerd.services.tasks.v1.Tasks/Create", pb_len(1, "c2"), "moby");
  std::string want;
  for (size_t cut = 1; cut < s.size(); cut += 3) {
    auto r = feed_split(s, {cut});
    ASSERT_EQ(r.size(), 2u) << cut;
    EXPECT_EQ(r[0].containerd_namespace, "moby");
    EXPECT_EQ(r[1].containerd_namespace, "moby") << "indexed header from the dynamic table";
    EXPECT_EQ(r[1].path, "/containerd.services.tasks.v1.Tasks/Create");
    EXPECT_EQ(r[0].summary["container"], "c1");
    EXPECT_EQ(r[1].summary["container"], "c2");
    EXPECT_EQ(r[1].operation, "containerd-task-create");
  }
}

TEST(DecodeHttp2, ContainerdCreateCarriesOciSpecJsonInAny) {
  std::string spec = R"({"process":{"args":["sh"],"env":["TOKEN=abc"],"capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_ADMIN"]}},
    "mounts":[{"destination":"/host","type":"bind","source":"/etc","options":["rbind","rw"]}],
    "linux":{"namespaces":[{"type":"mount"},{"type":"network"},{"type":"ipc"},{"type":"uts"}]}})";
  std::string any = pb_len(1, "types.containerd.io/opencontainers/runtime-spec/1/Spec") + pb_len(2, spec);
  std::string container = pb_len(1, "ctr1") + pb_len(3, "docker.io/library/busybox:1") + pb_len(5, any);
  HpackEncoder enc;
  auto r = feed_whole(kPreface + grpc_call(enc, 1, "/containerd.services.containers.v1.Containers/Create",
                                           pb_len(1, container), "k8s.io"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].operation, "containerd-container-create");
  EXPECT_EQ(r[0].containerd_namespace, "k8s.io");
  EXPECT_TRUE(r[0].has_risk("host-pid"));  // no pid namespace in the spec
  EXPECT_TRUE(r[0].has_risk("host-mount"));
  EXPECT_TRUE(r[0].has_risk("cap-add"));
  EXPECT_FALSE(r[0].has_risk("host-network"));
  EXPECT_EQ(r[0].summary["env"], Json::array({"TOKEN"}));
}

TEST(DecodeHttp2, GapInDataKeepsHeadersGapInHeadersBreaks) {
  HpackEncoder enc;
  std::string call = grpc_call(enc, 1, "/runtime.v1.RuntimeService/CreateContainer", cri_create());
  std::string s = kPreface + call;
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  // Cut 20 bytes before the end: the gap is inside the DATA frame.
  auto r = ra.on_write(1, std::string_view(s).substr(0, s.size() - 20), 20, 1, now);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].grpc_method, "CreateContainer");
  EXPECT_TRUE(r[0].truncated);
  // A gap inside a header block: the HPACK table is lost for good.
  StreamReassembler rb;
  auto r2 = rb.on_write(2, std::string_view(s).substr(0, kPreface.size() + 12), 5, 1, now);
  auto r3 = rb.on_write(2, std::string_view(s).substr(kPreface.size() + 17), 0, 2, now);
  EXPECT_TRUE(r2.empty() && r3.empty());
}

TEST(DecodeHttp2, StreamingCallEmittedAtFirstMessageAndStreamsBounded) {
  HpackEncoder enc;
  std::string s = kPreface;
  for (uint32_t id = 1; id < 2 * 300; id += 2) {
    // HEADERS without END_STREAM and no DATA: a stream left open.
    s += h2_frame(1, 0x4, id, enc.encode({{":method", "POST"}, {":path", "/containerd.services.events.v1.Events/Subscribe"}}));
  }
  StreamReassembler ra;
  auto r = ra.on_write(1, s, 0, 1, StreamReassembler::Clock::now());
  EXPECT_EQ(r.size(), 300u - Http2Decoder::kMaxStreams);  // evicted ones are reported
  // What stays is the open streams' decoded headers (~130 bytes each), now counted.
  EXPECT_LT(ra.held_bytes(), Http2Decoder::kMaxStreams * 256u);
}

// gRPC's C core (Python, Ruby, C++ clients) writes HEADERS and a large message's DATA
// frames in one sendmsg; the capture keeps the first 4 KiB, so the gap runs past the
// first DATA frame, across the next frame header. The cut create still names its
// container, and the framing is picked up at the next write: a later call on the same
// connection decodes (marked as decoded after the gap: what the gap held is unknown).
TEST(DecodeHttp2, GapAcrossFramesResyncsAtTheNextWrite) {
  HpackEncoder enc;
  std::string spec = "{" + std::string(20000, ' ') + R"("process":{"args":["sh"]}})";
  std::string any = pb_len(1, "types.containerd.io/opencontainers/runtime-spec/1/Spec") + pb_len(2, spec);
  std::string container = pb_len(1, "eff-padded") + pb_len(4, pb_len(1, "io.containerd.runc.v2")) + pb_len(5, any);
  std::string msg = grpc_message(pb_len(1, container));
  std::vector<std::pair<std::string, std::string>> h{{":method", "POST"}, {":path", "/containerd.services.containers.v1.Containers/Create"},
                                                     {"content-type", "application/grpc"}, {"containerd-namespace", "swtest"}};
  // Two DATA frames of at most 16384 bytes, as the peer's SETTINGS allow.
  std::string write1 = h2_frame(4, 0x1, 0, "") + h2_frame(1, 0x4, 1, enc.encode(h)) +
                       h2_frame(0, 0x0, 1, msg.substr(0, 16384)) + h2_frame(0, 0x1, 1, msg.substr(16384));
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  ra.on_write(1, kPreface + kSettings, 0, 1, now);
  auto r = ra.on_write(1, std::string_view(write1).substr(0, 4096), write1.size() - 4096, 2, now);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].operation, "containerd-container-create");
  EXPECT_EQ(r[0].summary["container"], "eff-padded");
  EXPECT_EQ(r[0].containerd_namespace, "swtest");
  EXPECT_TRUE(r[0].truncated);
  EXPECT_TRUE(r[0].unparsed_body);
  EXPECT_NE(std::find(r[0].anomalies.begin(), r[0].anomalies.end(), "capture-gap"), r[0].anomalies.end());
  // The next write starts with a frame: decoded, with the HPACK table as far as it is known.
  auto r2 = ra.on_write(1, h2_frame(4, 0x1, 0, "") + grpc_call(enc, 3, "/containerd.services.tasks.v1.Tasks/Create",
                                                                pb_len(1, "eff-padded"), "swtest"), 0, 3, now);
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].operation, "containerd-task-create");
  EXPECT_EQ(r2[0].summary["container"], "eff-padded");
  EXPECT_NE(std::find(r2[0].anomalies.begin(), r2[0].anomalies.end(), "decoded-after-capture-gap"), r2[0].anomalies.end());
  // A next write that does not start with a plausible frame: nothing more decodes.
  StreamReassembler rb;
  rb.on_write(2, kPreface + kSettings, 0, 1, now);
  rb.on_write(2, std::string_view(write1).substr(0, 4096), write1.size() - 4096, 2, now);
  auto r3 = rb.on_write(2, std::string(9, '\xff') + grpc_call(enc, 3, "/containerd.services.tasks.v1.Tasks/Create",
                                                               pb_len(1, "x"), "swtest"), 0, 3, now);
  EXPECT_TRUE(r3.empty());
}

TEST(DecodeProtobuf, MalformedInputStops) {
  const std::string bad("\x0a\xff\xff\xff\xff\x0f", 6);
  PbReader r(bad);
  PbField f;
  EXPECT_FALSE(r.next(f));
  EXPECT_TRUE(r.error());
  EXPECT_EQ(pb_bytes(pb_len(3, "abc") + pb_int(4, 7), 3), "abc");
  EXPECT_EQ(pb_varint(pb_len(3, "abc") + pb_int(4, 300), 4), 300u);
  // A message cut inside a submessage: its complete leading fields are still read,
  // and a field cut in the middle is never taken for a whole one.
  const std::string sub = pb_len(1, "eff-padded") + pb_len(5, std::string(100, 'x'));
  const std::string cut = pb_len(1, sub).substr(0, 30);
  EXPECT_EQ(pb_bytes(cut, 1), "");
  EXPECT_EQ(pb_bytes(pb_bytes_prefix(cut, 1), 1), "eff-padded");
  EXPECT_EQ(pb_bytes(pb_bytes_prefix(pb_len(1, sub).substr(0, 8), 1), 1), "");
}

}  // namespace
}  // namespace sockwarden
