// containerd's Tasks/Exec and Tasks/Start of an exec (decode/containerd_exec_summary): the
// field numbers of tasks.proto, the process spec inside the Any, a message cut by the payload
// cap, and hostile bytes (no crash, nothing read past the input, the risky reading kept).
#include <gtest/gtest.h>

#include "decode/containerd_exec_summary.h"
#include "decode/cri_summary.h"
#include "decode/severity.h"
#include "decode_test_util.h"

namespace sockwarden {
namespace {
using namespace test;

const std::string kPreface(Http2Decoder::kPreface);
const std::string kExecPath = "/containerd.services.tasks.v1.Tasks/Exec";
const std::string kStartPath = "/containerd.services.tasks.v1.Tasks/Start";
const std::string kProcessType = "types.containerd.io/opencontainers/runtime-spec/1/Process";

std::string process_any(const std::string& json) { return pb_len(1, kProcessType) + pb_len(2, json); }

// ExecProcessRequest as containerd's Go client encodes it: fields in number order.
std::string exec_request(const std::string& container, const std::string& exec_id, const std::string& process_json,
                         bool terminal = false) {
  std::string m = pb_len(1, container) + pb_len(2, "/run/fifo/stdin") + pb_len(3, "/run/fifo/stdout");
  if (terminal) m += pb_int(5, 1);
  return m + pb_len(6, process_any(process_json)) + pb_len(7, exec_id);
}

const char* kPrivilegedProcess =
    R"({"user":{"uid":0,"gid":0},"args":["/bin/sh","-c","id"],"env":["PATH=/bin","TOKEN=s3cret"],"cwd":"/",
        "capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_ADMIN","CAP_NET_ADMIN"],"effective":["CAP_SYS_ADMIN"]},
        "noNewPrivileges":false})";

std::string severity(const DecodedRequest& r) { return severity_name(request_severity(r, {})); }

DecodedRequest decode_one(const std::string& path, const std::string& msg) {
  HpackEncoder enc;
  auto r = feed_whole(kPreface + grpc_call(enc, 1, path, msg, "swtest"));
  EXPECT_EQ(r.size(), 1u);
  return r.empty() ? DecodedRequest{} : r[0];
}

TEST(DecodeContainerdExec, FieldNumbersOfExecProcessRequest) {
  auto r = decode_one(kExecPath, exec_request("c1", "exec-7", kPrivilegedProcess, true));
  EXPECT_EQ(r.operation, "containerd-task-exec");
  EXPECT_EQ(r.containerd_namespace, "swtest");
  EXPECT_EQ(r.summary["container"], "c1");
  EXPECT_EQ(r.summary["exec_id"], "exec-7");
  EXPECT_EQ(r.summary["command"], Json::array({"/bin/sh", "-c", "id"}));
  EXPECT_EQ(r.summary["user"], "0");
  EXPECT_EQ(r.summary["env"], Json::array({"PATH", "TOKEN"}));
  EXPECT_EQ(r.summary.dump().find("s3cret"), std::string::npos);
  EXPECT_EQ(r.summary["no_new_privileges"], false);
  EXPECT_EQ(r.summary["tty"], true);
  EXPECT_EQ(r.summary["privileged"], true);
  EXPECT_EQ(r.summary["cap_add"], Json::array({"SYS_ADMIN", "NET_ADMIN"}));
  EXPECT_TRUE(r.has_risk("exec"));
  EXPECT_TRUE(r.has_risk("privileged"));
  // Privileged is one flag, not one per capability it implies.
  EXPECT_FALSE(r.has_risk("cap-add"));
  EXPECT_FALSE(r.unparsed_body);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(severity(r), "high");
}

TEST(DecodeContainerdExec, PlainProcessIsAnExecOnly) {
  auto r = decode_one(kExecPath, exec_request("c1", "e1", R"({"user":{"uid":1000},"args":["ls"],"noNewPrivileges":true,
      "capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"],"effective":["CAP_KILL"]}})"));
  EXPECT_EQ(r.summary["user"], "1000");
  EXPECT_EQ(r.summary["no_new_privileges"], true);
  EXPECT_FALSE(r.summary.contains("privileged"));
  EXPECT_FALSE(r.summary.contains("cap_add"));
  EXPECT_EQ(r.risk.size(), 1u);
  EXPECT_TRUE(r.has_risk("exec"));
  EXPECT_EQ(severity(r), "medium");
  // A capability beyond the default set, in any set and any spelling of the key, is added.
  auto r2 = decode_one(kExecPath, exec_request("c1", "e1", R"({"args":["ls"],"Capabilities":{"AMBIENT":["sys_ptrace"]}})"));
  EXPECT_TRUE(r2.has_risk("cap-add"));
  EXPECT_EQ(r2.summary["cap_add"], Json::array({"SYS_PTRACE"}));
  EXPECT_EQ(severity(r2), "high");  // SYS_PTRACE alone breaks isolation
}

TEST(DecodeContainerdExec, StartOfAnExecAndOfATask) {
  auto r = decode_one(kStartPath, pb_len(1, "c1") + pb_len(2, "exec-7"));
  EXPECT_EQ(r.operation, "containerd-exec-start");
  EXPECT_EQ(r.summary["container"], "c1");
  EXPECT_EQ(r.summary["exec_id"], "exec-7");
  EXPECT_TRUE(r.has_risk("exec"));
  // The task's own first process (no exec id) is not an exec.
  auto t = decode_one(kStartPath, pb_len(1, "c1"));
  EXPECT_EQ(t.operation, "grpc");
  EXPECT_FALSE(t.has_risk("exec"));
}

// The spec behind 16 KiB of JSON whitespace (a padded privileged exec): the capture keeps the
// first 4 KiB, so the container id (field 1) is read and the spec and exec id (fields 6, 7) are not.
TEST(DecodeContainerdExec, CutMessageNamesItsContainerAndIsUnread) {
  std::string process = "{" + std::string(16384, ' ') + std::string(kPrivilegedProcess).substr(1);
  std::string msg = grpc_message(exec_request("eff-padded", "exec-hidden", process));
  HpackEncoder enc;
  std::vector<std::pair<std::string, std::string>> h{{":method", "POST"}, {":path", kExecPath},
                                                     {"content-type", "application/grpc"}, {"containerd-namespace", "swtest"}};
  std::string write = h2_frame(1, 0x4, 1, enc.encode(h)) + h2_frame(0, 0x0, 1, msg.substr(0, 16384)) +
                      h2_frame(0, 0x1, 1, msg.substr(16384));
  StreamReassembler ra;
  auto now = StreamReassembler::Clock::now();
  ra.on_write(1, kPreface, 0, 1, now);
  auto r = ra.on_write(1, std::string_view(write).substr(0, 4096), write.size() - 4096, 2, now);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].operation, "containerd-task-exec");
  EXPECT_EQ(r[0].summary["container"], "eff-padded");
  EXPECT_FALSE(r[0].summary.contains("exec_id"));
  EXPECT_FALSE(r[0].summary.contains("command"));
  EXPECT_TRUE(r[0].truncated);
  EXPECT_TRUE(r[0].unparsed_body);
  EXPECT_TRUE(r[0].has_risk("unparsed-body"));
  EXPECT_TRUE(r[0].has_risk("exec"));

  // Cut after a whole decoy spec: a later field 6 may replace it, so the body is still unread.
  std::string decoy = exec_request("c1", "", R"({"args":["true"]})");
  DecodedRequest d;
  d.grpc_service = "containerd.services.tasks.v1.Tasks";
  d.grpc_method = "Exec";
  summarize_grpc_request(d, decoy + pb_len(6, process_any(process)).substr(0, 40), false);
  EXPECT_TRUE(d.unparsed_body);
  EXPECT_EQ(d.summary["command"], Json::array({"true"}));  // what was read, marked unread
}

TEST(DecodeContainerdExec, HostileInputNeverCrashesOrReadsPast) {
  auto summarize = [](const std::string& msg, bool complete) {
    DecodedRequest r;
    r.grpc_service = "containerd.services.tasks.v1.Tasks";
    r.grpc_method = "Exec";
    summarize_grpc_request(r, msg, complete);
    return r;
  };
  const std::string whole = exec_request("c1", "e1", kPrivilegedProcess);
  // Every prefix of a valid message, read as cut: no crash, container id once it is whole.
  for (size_t n = 0; n <= whole.size(); n++) {
    auto r = summarize(whole.substr(0, n), n == whole.size());
    EXPECT_EQ(r.operation, "containerd-task-exec");
    if (n < whole.size()) {
      EXPECT_TRUE(r.unparsed_body) << n;
    }
    if (n < 4) {
      EXPECT_EQ(r.summary["container"], "") << n;
    }
  }
  // Malformed wire data: a varint that never ends, a length past the end, wire types 3/4/7.
  for (const std::string& bad : {std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11),
                                 std::string("\x32\x7f", 2) + "abc", std::string("\x0b\x0c\x0f", 3),
                                 std::string(1, '\0'), std::string()}) {
    auto r = summarize(bad, true);
    EXPECT_FALSE(r.summary.contains("command"));
  }
  // The Any's value is not JSON, is JSON nested too deep, is not an object, or args is not an array.
  for (const std::string& v : {std::string("{\"args\":"), std::string(5000, '[') + std::string(5000, ']'),
                               std::string("[1,2]"), std::string("\"x\"")}) {
    auto r = summarize(pb_len(1, "c1") + pb_len(6, process_any(v)) + pb_len(7, "e1"), true);
    EXPECT_TRUE(r.unparsed_body) << v.substr(0, 20);
    EXPECT_TRUE(r.has_risk("unparsed-body"));
  }
  auto odd = summarize(pb_len(1, "c1") + pb_len(6, process_any(R"({"args":"sh","user":{"uid":"0"},"capabilities":[1]})")), true);
  EXPECT_FALSE(odd.unparsed_body);
  EXPECT_FALSE(odd.summary.contains("command"));
  EXPECT_FALSE(odd.summary.contains("user"));
  // Thousands of capabilities: bounded, one flag each at most.
  std::string caps;
  for (int i = 0; i < 5000; i++) caps += std::string(i ? "," : "") + "\"CAP_X" + std::to_string(i) + "\"";
  auto many = summarize(pb_len(1, "c1") + pb_len(6, process_any(R"({"capabilities":{"bounding":[)" + caps + "]}}")), true);
  EXPECT_LE(many.summary["cap_add"].size(), 64u);
  // No spec at all in a whole message: noted.
  auto none = summarize(pb_len(1, "c1") + pb_len(7, "e1"), true);
  EXPECT_FALSE(none.unparsed_body);
  EXPECT_EQ(none.anomalies, std::vector<std::string>{"no-spec"});
  // An id longer than anything containerd accepts is bounded.
  auto longid = summarize(pb_len(1, std::string(100000, 'a')) + pb_len(7, std::string(100000, 'b')), true);
  EXPECT_EQ(longid.summary["container"].get<std::string>().size(), 4096u);
  EXPECT_EQ(longid.summary["exec_id"].get<std::string>().size(), 4096u);
}

}  // namespace
}  // namespace sockwarden
