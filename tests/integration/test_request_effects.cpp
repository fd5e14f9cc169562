// Request effects on every tier (docs/request-effects.md): a stand-in daemon that answers a
// create as dockerd does ({"Id":...} in its reply) and has the container's state on disk the
// way dockerd writes it (<data-root>/containers/<id>/config.v2.json + hostconfig.json). The
// caller hides Privileged + Binds ["/:/host"] behind 16 KiB of JSON whitespace in one write:
// its request event must carry the effect from that state, effect-mismatch and severity high.
// On the host this runs on socket-tp and syscall-tp (no replies: the state on disk is found by
// name and creation time); vmtest runs it on lsm and fentry.
//
// The same stand-in also answers an exec (its "runc" starts the command in the container's real
// cgroup, with runc as its parent, as runc's nsexec does) and an image tag (it rewrites its
// repositories.json the way dockerd does before it answers): the exec record and the image
// store judge those requests on every tier too.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_run.h"
#include "harness.h"

using namespace swtest;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

std::string rfc3339_now() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
  return std::string(buf) + frac + "Z";
}

// What dockerd writes before it answers the create. Where the tier sees the daemon's replies,
// the state's creation time is made useless (years ago): only the id in the reply can tie the
// request to it. syscall-tp sees no reply and finds it by name and creation time, so there it
// is written right before the request (not before the agent starts: a TCG guest takes seconds
// to load BPF).
void write_state(const std::string& cdir, const std::string& id, bool replies) {
  fs::create_directories(cdir);
  std::ofstream(cdir + "/config.v2.json") << R"({"ID":")" << id << R"(","Name":"/standin","Created":")"
                                          << (replies ? std::string("2020-01-01T00:00:00Z") : rfc3339_now())
                                          << R"("})";
  std::ofstream(cdir + "/hostconfig.json")
      << R"({"Binds":["/:/host"],"NetworkMode":"none","Privileged":true,"SecurityOpt":["label=disable"]})";
}

class RequestEffectsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RequestEffectsTest, HiddenPrivilegedCreateGetsTheEffectFromTheDaemonsState) {
  ASSERT_EQ(geteuid(), 0u);
  TempDir dir;
  const std::string id = "5e1f" + std::string(60, 'a');
  const std::string cdir = dir.path + "/data/containers/" + id;
  const bool replies = GetParam() != "syscall-tp";
  fs::create_directories(dir.path + "/data/containers");
  const std::string sock = dir.path + "/docker.sock";
  Listener daemon(sock);
  const std::string body = "{\"Id\":\"" + id + "\",\"Warnings\":[]}\n";
  daemon.set_reply("HTTP/1.1 201 Created\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
                   "Docker-Experimental: false\r\nOstype: linux\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n"
                   "Date: Thu, 03 Dec 2026 07:29:24 GMT\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
  const std::string create_body = "{" + std::string(16384, ' ') +
                                  R"("Image":"busybox","HostConfig":{"Privileged":true,"Binds":["/:/host"]}})";
  const std::string req = "POST /v1.41/containers/create?name=standin HTTP/1.1\r\nHost: docker\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(create_body.size()) + "\r\n\r\n" + create_body;
  pid_t caller = 0;
  // Stopped once the request event is out (it waits for its effect). --duration 20 bounds it: in a
  // TCG guest sharing the host with another boot, a fixed 5 s once ended the agent before the
  // effect was read (effect "unknown", reason "agent-exit").
  auto r = run_binary_until("run --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                                " --docker-data-root " + dir.path + "/data --no-audit --duration 20",
                            [&](pid_t) {
                        write_state(cdir, id, replies);
                        caller = run_child([&] {
                          int fd = connect_unix(sock);
                          if (fd < 0) return 1;
                          if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return 2;
                          char buf[512];
                          if (read(fd, buf, sizeof buf) <= 0) return 3;
                          close(fd);
                          return 0;
                        });
                      },
                            seen("request", caller));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto reqs = with_action(r, "request", caller);
  ASSERT_EQ(reqs.size(), 1u) << r.out;
  const json& q = reqs[0]["sockwarden"]["request"];
  EXPECT_EQ(q.value("unparsed_body", false), true) << "the padding is past the payload cap: " << q.dump();
  ASSERT_TRUE(q.contains("effect")) << q.dump();
  const json& eff = q["effect"];
  EXPECT_EQ(eff["status"], "verified") << eff.dump();
  EXPECT_EQ(eff["source"], "docker-state");
  EXPECT_EQ(eff["container_id"], id);
  EXPECT_EQ(eff.value("privileged", false), true);
  EXPECT_EQ(eff["host_mounts"], json::array({"/"}));
  auto flags = q["risk_flags"].get<std::vector<std::string>>();
  for (const char* f : {"privileged", "host-mount", "effect-mismatch", "unparsed-body"})
    EXPECT_NE(std::find(flags.begin(), flags.end(), f), flags.end()) << f << " in " << q["risk_flags"].dump();
  EXPECT_EQ(q["severity"], "high");
  EXPECT_EQ(reqs[0]["event"]["severity"], 73);
}

std::string http_reply(const std::string& status, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The stand-in daemon reads a request whole (a 16 KiB write may arrive in several reads)
// before it acts on it and answers: chunks are gathered here (one caller at a time).
class RequestReader {
 public:
  // The chunk completes a request: that request; else "".
  std::string add(const std::string& chunk) {
    buf_ += chunk;
    auto head_end = buf_.find("\r\n\r\n");
    if (head_end == std::string::npos) return "";
    size_t length = 0;
    auto cl = buf_.find("Content-Length: ");
    if (cl != std::string::npos && cl < head_end) length = std::stoul(buf_.substr(cl + 16));
    if (buf_.size() < head_end + 4 + length) return "";
    std::string req = buf_.substr(0, head_end + 4 + length);
    buf_.erase(0, req.size());
    return req;
  }

 private:
  std::string buf_;
};

// A caller's connection: each request in one write, its answer read before the next.
int send_requests(const std::string& sock, const std::vector<std::string>& reqs) {
  int fd = connect_unix(sock);
  if (fd < 0) return 1;
  for (const auto& req : reqs) {
    if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return 2;
    char buf[512];
    if (read(fd, buf, sizeof buf) <= 0) return 3;
  }
  close(fd);
  return 0;
}

// The stand-in's `runc exec`. Like runc's nsexec, the process it starts joins the container's
// cgroup and execs the command with runc as its parent, and runc waits for it. Its arguments
// are those containerd's shim gives runc for a Docker exec (the exec id is the pid file's name).
// The command is `sh -c ': marker'`: it exits at once, so only the kernel's record can say what
// capabilities it had.
constexpr const char* kRuncScript =
    "#!/bin/sh\n"
    "/bin/sh -c 'echo $$ > \"$1/cgroup.procs\" && exec /bin/sh -c \"$2\"' runc-init \"$SW_CGROUP\" \"$SW_CMD\" &\n"
    "wait $!\n";

pid_t start_runc(const std::string& runc, const std::string& container_id, const std::string& exec_id,
                 const std::string& cgroup, const std::string& command) {
  const std::string pid_file =
      "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/" + container_id + "/" + exec_id + ".pid";
  std::vector<std::string> args = {"runc", "--root", "/var/run/docker/runtime-runc/moby", "exec", "--pid-file",
                                   pid_file, "--detach", container_id};
  std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SW_CGROUP=" + cgroup, "SW_CMD=" + command};
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, runc.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
  return pid;
}

// `docker exec` with its Cmd behind 16 KiB of JSON whitespace in one write: the decoder cannot
// read it, the exec record shows the command runc ran and that it had CAP_SYS_ADMIN.
TEST_P(RequestEffectsTest, HiddenExecGetsTheCommandTheRuntimeRan) {
  ASSERT_EQ(geteuid(), 0u);
  const std::string cg2 = cgroup2_root();
  ASSERT_FALSE(cg2.empty()) << "no cgroup2 mount";
  TempDir dir;
  const std::string id = "5e1fe" + std::string(59, 'b');
  const std::string exec_id = "e7ec" + std::string(60, 'c');
  const std::string cdir = dir.path + "/data/containers/" + id;
  fs::create_directories(cdir);
  std::ofstream(cdir + "/config.v2.json") << R"({"ID":")" << id << R"(","Name":"/standin","Created":"2020-01-01T00:00:00Z"})";
  std::ofstream(cdir + "/hostconfig.json") << R"({"NetworkMode":"none","Privileged":false})";
  // The container's cgroup in Docker's cgroupfs layout (/docker/<id>), below a parent of the test's own.
  CgroupTree tree(cg2);
  const std::string cgroup = tree.make("/sw-effects-" + std::to_string(getpid()) + "/docker/" + id);
  const std::string runc = dir.path + "/runc";
  std::ofstream(runc) << kRuncScript;
  ASSERT_EQ(chmod(runc.c_str(), 0755), 0);
  const std::string marker = ": sw-hidden-exec-" + std::to_string(getpid());
  const std::string sock = dir.path + "/docker.sock";
  std::atomic<int> runc_status{-1};
  RequestReader reader;
  Listener daemon(sock, [&](const std::string& chunk) -> std::string {
    const std::string req = reader.add(chunk);
    if (req.rfind("POST /v1.41/containers/standin/exec ", 0) == 0)
      return http_reply("201 Created", "{\"Id\":\"" + exec_id + "\"}\n");
    if (req.rfind("POST /v1.41/exec/" + exec_id + "/start ", 0) == 0) {
      pid_t p = start_runc(runc, id, exec_id, cgroup, marker);
      int st = 0;
      if (p > 0 && waitpid(p, &st, 0) == p) runc_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
      return http_reply("200 OK", "");
    }
    return "";
  });
  const std::string create_body = "{" + std::string(16384, ' ') +
                                  R"("AttachStdout":false,"Cmd":["/bin/sh","-c",")" + marker + R"("],"Privileged":false})";
  pid_t caller = 0;
  auto r = run_binary_until("run --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                                " --docker-data-root " + dir.path + "/data --no-audit --duration 20",
                            [&](pid_t) {
                              caller = run_child([&] {
                                return send_requests(sock, {post("/v1.41/containers/standin/exec", create_body),
                                                            post("/v1.41/exec/" + exec_id + "/start",
                                                                 R"({"Detach":true,"Tty":false})")});
                              });
                            },
                            seen("request", caller, 2));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(runc_status.load(), 0) << "the stand-in runc failed";
  auto reqs = with_action(r, "request", caller);
  ASSERT_EQ(reqs.size(), 2u) << r.out;
  for (const auto& e : reqs) {
    const json& q = e["sockwarden"]["request"];
    const std::string op = q.value("operation", "");
    SCOPED_TRACE(op);
    EXPECT_TRUE(op == "exec-create" || op == "exec-start") << q.dump();
    ASSERT_TRUE(q.contains("effect")) << q.dump();
    const json& eff = q["effect"];
    EXPECT_EQ(eff["status"], "verified") << eff.dump();
    EXPECT_EQ(eff["source"], "exec-record");
    EXPECT_EQ(eff["container_id"], id);
    EXPECT_EQ(eff["exec_id"], exec_id);
    EXPECT_EQ(eff["process"]["command"], json::array({"/bin/sh", "-c", marker})) << eff.dump();
    EXPECT_EQ(eff["process"]["uid"], 0);
    // The process had exited long before anything could read /proc: the record's capabilities.
    EXPECT_EQ(eff["process"].value("privileged", false), true) << eff.dump();
    EXPECT_EQ(eff["process"].value("cap_effective", "").size(), 16u) << eff.dump();
    EXPECT_EQ(q.value("summary", json::object()).dump().find("sw-hidden-exec"), std::string::npos)
        << "the command is nowhere in the decoded body";
    auto flags = q["risk_flags"].get<std::vector<std::string>>();
    for (const char* f : {"exec", "privileged", "effect-mismatch"})
      EXPECT_NE(std::find(flags.begin(), flags.end(), f), flags.end()) << f << " in " << q["risk_flags"].dump();
    EXPECT_TRUE(q["severity"] == "high" || q["severity"] == "critical") << q["severity"];
  }
}

// `docker tag` repointing an existing reference: the answer comes after dockerd rewrote its
// repositories.json, and the effect is the reference that moved and where it pointed before.
TEST_P(RequestEffectsTest, ImageTagIsJudgedByTheImageStore) {
  ASSERT_EQ(geteuid(), 0u);
  TempDir dir;
  const std::string built = "sha256:" + std::string(64, 'b'), evil = "sha256:" + std::string(64, 'c');
  const std::string store = dir.path + "/data/image/overlay2";
  fs::create_directories(store);
  auto write_store = [&](const std::string& evil_points_at) {
    // dockerd writes a temp file and renames it over repositories.json.
    std::ofstream(store + "/.tmp-repositories.json")
        << R"({"Repositories":{"local/sw-built":{"local/sw-built:1":")" << built
        << R"("},"local/sw-evil":{"local/sw-evil:1":")" << evil_points_at << R"("}}})";
    return rename((store + "/.tmp-repositories.json").c_str(), (store + "/repositories.json").c_str()) == 0;
  };
  ASSERT_TRUE(write_store(evil));
  const std::string sock = dir.path + "/docker.sock";
  const std::string tag_path = "/v1.41/images/local/sw-built:1/tag?repo=local%2Fsw-evil&tag=1";
  RequestReader reader;
  Listener daemon(sock, [&](const std::string& chunk) -> std::string {
    if (reader.add(chunk).rfind("POST " + tag_path + " ", 0) != 0) return "";
    return write_store(built) ? http_reply("201 Created", "") : http_reply("500 Internal Server Error", "{}");
  });
  pid_t caller = 0;
  auto r = run_binary_until("run --no-default-sockets --socket " + sock + " --tier " + GetParam() +
                                " --docker-data-root " + dir.path + "/data --no-audit --duration 20",
                            [&](pid_t) { caller = run_child([&] { return send_requests(sock, {post(tag_path, "")}); }); },
                            seen("request", caller));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto reqs = with_action(r, "request", caller);
  ASSERT_EQ(reqs.size(), 1u) << r.out;
  const json& q = reqs[0]["sockwarden"]["request"];
  EXPECT_EQ(q["operation"], "image-tag") << q.dump();
  ASSERT_TRUE(q.contains("effect")) << q.dump();
  const json& eff = q["effect"];
  EXPECT_EQ(eff["status"], "verified") << eff.dump();
  EXPECT_EQ(eff["source"], "docker-image-state");
  EXPECT_EQ(eff["images"], json::parse(R"([{"image_id":")" + built + R"(","previous":")" + evil +
                                       R"(","ref":"local/sw-evil:1"}])"))
      << eff.dump();
  auto flags = q["risk_flags"].get<std::vector<std::string>>();
  for (const char* f : {"image-tag", "image-tag-replaced"})
    EXPECT_NE(std::find(flags.begin(), flags.end(), f), flags.end()) << f << " in " << q["risk_flags"].dump();
  EXPECT_EQ(q["severity"], "medium");
}

INSTANTIATE_TEST_SUITE_P(Tiers, RequestEffectsTest, ::testing::ValuesIn(test_tiers()),
                         [](const auto& info) { return tier_test_name(info.param); });

}  // namespace
