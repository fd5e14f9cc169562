// Request effects (docs/request-effects.md): dockerd's state readers with hostile files, the
// effect stage's resolution, mismatch and severity, its bound under a flood, and the runtime
// exec records.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>

#include "effects_test_util.h"
#include "agent/request_effects.h"
#include "agent/runtime_execs.h"
#include "decode/cri_summary.h"
#include "decode/reply_matcher.h"
#include "enrich/docker_effect_state.h"
#include "enrich/containerd_effect_state.h"
#include "enrich/podman_effect_state.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

const std::string kId1(64, 'a');
const std::string kId2 = std::string(63, 'b') + "c";

struct TempRoot {
  std::string dir;
  TempRoot() {
    char t[] = "/tmp/sw-effects-XXXXXX";
    dir = mkdtemp(t);
    fs::create_directories(dir + "/containers");
  }
  ~TempRoot() { fs::remove_all(dir); }
  std::string cdir(const std::string& id) const { return dir + "/containers/" + id; }
  void write(const std::string& path, const std::string& text) const {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  void container(const std::string& id, const std::string& name, const std::string& created,
                 const std::string& hostconfig) const {
    write(cdir(id) + "/config.v2.json", R"({"ID":")" + id + R"(","Name":")" + name + R"(","Created":")" + created + R"("})");
    write(cdir(id) + "/hostconfig.json", hostconfig);
  }
};

std::string rfc3339(uint64_t ns) {
  time_t s = static_cast<time_t>(ns / 1000000000ull);
  struct tm tm {};
  gmtime_r(&s, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  snprintf(frac, sizeof frac, ".%09llu", static_cast<unsigned long long>(ns % 1000000000ull));
  return std::string(buf) + frac + "Z";
}

uint64_t now_realtime_ns() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

const char* kPrivilegedRoot = R"({"Privileged":true,"Binds":["/:/host"],"CapAdd":null,"NetworkMode":"none","PidMode":"","SecurityOpt":null})";

TEST(RequestEffectsState, ParsesRfc3339) {
  EXPECT_EQ(parse_rfc3339_ns("1970-01-01T00:00:01Z"), 1000000000ull);
  EXPECT_EQ(parse_rfc3339_ns("2026-12-03T07:29:24.5Z"), 1796282964500000000ull);
  EXPECT_EQ(parse_rfc3339_ns("2026-12-03T08:29:24.5+01:00"), 1796282964500000000ull);
  EXPECT_EQ(parse_rfc3339_ns("2026-12-03T07:29:24.123456789123Z"), 1796282964123456789ull);
  EXPECT_EQ(parse_rfc3339_ns("2026-12-03 07:29"), 0u);
  EXPECT_EQ(parse_rfc3339_ns("2026-13-03T07:29:24Z"), 0u);
  EXPECT_EQ(parse_rfc3339_ns("2026-12-03T07:29:24Zjunk"), 0u);
  EXPECT_EQ(parse_rfc3339_ns(""), 0u);
}

TEST(RequestEffectsState, ReadsAContainerAndRefusesHostileFiles) {
  TempRoot t;
  const uint32_t me = geteuid();
  t.container(kId1, "/good", "2026-12-03T07:29:24Z", kPrivilegedRoot);
  auto r = read_docker_container(t.dir, kId1, me);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "/good");
  EXPECT_EQ(r->created_ns, 1796282964000000000ull);
  // Not a container id: never used as a path component.
  EXPECT_FALSE(read_docker_container(t.dir, "../containers/" + kId1.substr(0, 50), me));
  EXPECT_FALSE(read_docker_container(t.dir, kId1, me + 1));  // owned by someone else

  // hostconfig.json a symlink to a file the attacker chose.
  t.container(kId2, "/x", "2026-12-03T07:29:24Z", "{}");
  fs::remove(t.cdir(kId2) + "/hostconfig.json");
  t.write(t.dir + "/elsewhere.json", kPrivilegedRoot);
  fs::create_symlink(t.dir + "/elsewhere.json", t.cdir(kId2) + "/hostconfig.json");
  EXPECT_FALSE(read_docker_container(t.dir, kId2, me));
  fs::remove_all(t.cdir(kId2));

  // The container directory itself a symlink.
  fs::create_directory_symlink(t.cdir(kId1), t.cdir(kId2));
  EXPECT_FALSE(read_docker_container(t.dir, kId2, me));
  fs::remove(t.cdir(kId2));

  // Huge (over 1 MiB), malformed, too deep, not an object, a FIFO.
  t.container(kId2, "/x", "2026-12-03T07:29:24Z", "{\"Binds\":[\"" + std::string(kDockerStateMax, 'a') + "\"]}");
  EXPECT_FALSE(read_docker_container(t.dir, kId2, me));
  t.container(kId2, "/x", "2026-12-03T07:29:24Z", "{\"Privileged\":tru");
  EXPECT_FALSE(read_docker_container(t.dir, kId2, me));
  t.container(kId2, "/x", "2026-12-03T07:29:24Z", std::string(10000, '[') + std::string(10000, ']'));
  EXPECT_FALSE(read_docker_container(t.dir, kId2, me));
  t.container(kId2, "/x", "2026-12-03T07:29:24Z", "[1,2]");
  EXPECT_FALSE(read_docker_container(t.dir, kId2, me));
  fs::remove(t.cdir(kId2) + "/hostconfig.json");
  ASSERT_EQ(mkfifo((t.cdir(kId2) + "/hostconfig.json").c_str(), 0600), 0);
  EXPECT_FALSE(read_docker_container(t.dir, kId2, me));  // refused without blocking
}

TEST(RequestEffectsState, FindsByIdPrefixAndName) {
  TempRoot t;
  const uint32_t me = geteuid();
  t.container(kId1, "/alpha", "2026-12-03T07:29:24Z", "{}");
  t.container(kId2, "/beta", "2026-12-03T07:29:24Z", "{}");
  std::vector<std::string> roots{"/nonexistent", t.dir};
  EXPECT_EQ(docker_find_container(roots, kId1, me)->id, kId1);
  EXPECT_EQ(docker_find_container(roots, "aaaa", me)->id, kId1);
  EXPECT_EQ(docker_find_container(roots, "beta", me)->id, kId2);
  EXPECT_EQ(docker_find_container(roots, "/beta", me)->id, kId2);
  EXPECT_FALSE(docker_find_container(roots, "gamma", me));
  EXPECT_FALSE(docker_find_container(roots, "", me));
  // A symlinked containers/ directory is not listed.
  TempRoot u;
  fs::remove_all(u.dir + "/containers");
  fs::create_directory_symlink(t.dir + "/containers", u.dir + "/containers");
  EXPECT_FALSE(docker_find_container({u.dir}, "beta", me));
  EXPECT_TRUE(docker_changed_container_ids(u.dir, 0).empty());
  EXPECT_EQ(docker_changed_container_ids(t.dir, 0).size(), 2u);
}

TEST(RequestEffectsState, PodmanContainersCreatedInAWindow) {
  TempRoot t;
  const uint32_t me = geteuid();
  auto dirs = podman_container_dirs(t.dir);
  const uint64_t t0 = parse_rfc3339_ns("2026-12-03T19:58:01Z");
  ASSERT_NE(t0, 0u);
  t.write(t.dir + "/vfs-containers/containers.json",
          R"([{"id":")" + kId1 + R"(","created":"2026-12-03T19:58:01.500000000Z"},)"
          R"({"id":")" + kId2 + R"(","created":"2026-12-03T19:50:00Z"},)"
          R"({"id":"nothex","created":"2026-12-03T19:58:01.6Z"},{"id":")" + kId2 + R"(","created":"garbage"},)"
          R"({"id":")" + kId2 + R"(","created":7},{"created":"2026-12-03T19:58:01.7Z"}])");
  // Only the real id created inside the window; entries without an id, a time or a real one are not.
  EXPECT_EQ(podman_created_between(dirs, t0, t0 + 2'000'000'000ull, me), std::vector<std::string>{kId1});
  EXPECT_TRUE(podman_created_between(dirs, t0 + 600'000'000ull, t0 + 2'000'000'000ull, me).empty());
  EXPECT_EQ(podman_created_between(dirs, 0, t0 + 2'000'000'000ull, me).size(), 2u);
  EXPECT_EQ(podman_created_between(dirs, 0, t0 + 2'000'000'000ull, me, 1).size(), 1u);  // bounded
  EXPECT_TRUE(podman_created_between(dirs, 0, ~0ull, me + 1).empty());  // another owner's file
}

TEST(RequestEffectsState, PodmanSpecAndNamesWithHostileFiles) {
  TempRoot t;  // t.dir plays the graph root
  const uint32_t me = geteuid();
  auto dirs = podman_container_dirs(t.dir);
  ASSERT_EQ(dirs.size(), 4u);
  const std::string vfs = t.dir + "/vfs-containers";
  t.write(vfs + "/containers.json", R"([{"id":")" + kId1 + R"(","names":["pm1"]},{"id":"nothex","names":["x"]}])");
  EXPECT_EQ(podman_find_container(dirs, "pm1", me), kId1);
  EXPECT_EQ(podman_find_container(dirs, kId1.substr(0, 12), me), kId1);
  EXPECT_FALSE(podman_find_container(dirs, "x", me));  // an entry without a real id is ignored
  EXPECT_FALSE(podman_find_container(dirs, "pm1", me + 1));
  // Not started yet: no spec.
  fs::create_directories(vfs + "/" + kId1 + "/userdata");
  EXPECT_FALSE(read_podman_spec(dirs, kId1, me));
  const std::string spec = R"({"mounts":[{"destination":"/host","type":"bind","source":"/","options":["rbind"]},)"
                           R"({"destination":"/etc/hosts","type":"bind","source":")" + vfs + "/" + kId1 +
                           R"(/userdata/hosts","options":["bind"]}]})";
  t.write(vfs + "/" + kId1 + "/userdata/config.json", spec);
  auto got = read_podman_spec(dirs, kId1, me);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->containers_dir, vfs);
  auto own_removed = nlohmann::json::parse(podman_spec_without_own_mounts(got->spec, kId1));
  ASSERT_EQ(own_removed["mounts"].size(), 1u);  // its own /etc/hosts is podman's, not the caller's
  EXPECT_EQ(own_removed["mounts"][0]["source"], "/");
  // A symlinked userdata directory, a symlinked spec, a huge one, a malformed one.
  fs::rename(vfs + "/" + kId1 + "/userdata", vfs + "/" + kId1 + "/real");
  fs::create_directory_symlink(vfs + "/" + kId1 + "/real", vfs + "/" + kId1 + "/userdata");
  EXPECT_FALSE(read_podman_spec(dirs, kId1, me));
  fs::remove(vfs + "/" + kId1 + "/userdata");
  fs::rename(vfs + "/" + kId1 + "/real", vfs + "/" + kId1 + "/userdata");
  fs::rename(vfs + "/" + kId1 + "/userdata/config.json", vfs + "/" + kId1 + "/userdata/spec.json");
  fs::create_symlink(vfs + "/" + kId1 + "/userdata/spec.json", vfs + "/" + kId1 + "/userdata/config.json");
  EXPECT_FALSE(read_podman_spec(dirs, kId1, me));
  fs::remove(vfs + "/" + kId1 + "/userdata/config.json");
  t.write(vfs + "/" + kId1 + "/userdata/config.json", "{\"a\":\"" + std::string(kDockerStateMax, 'a') + "\"}");
  EXPECT_FALSE(read_podman_spec(dirs, kId1, me));
  t.write(vfs + "/" + kId1 + "/userdata/config.json", "{\"mounts\":[");
  EXPECT_FALSE(read_podman_spec(dirs, kId1, me));
  EXPECT_FALSE(read_podman_spec(dirs, "../" + kId1, me));
}

TEST(RequestEffectsReply, IdFromTheReplyBody) {
  const std::string reply = "HTTP/1.1 201 Created\r\nContent-Length: 88\r\n\r\n{\"Id\":\"" + kId1 + "\",\"Warnings\":[]}\n";
  EXPECT_EQ(reply_object_id(reply_body_start(reply)), kId1);
  EXPECT_EQ(reply_object_id("{\"Id\":\"" + kId1.substr(0, 40)), "");  // cut by the capture: no id
  EXPECT_EQ(reply_object_id("{\"Id\":\"../../etc\"}"), "");
  EXPECT_EQ(reply_object_id("{\"Warnings\":[],\"Id\":\"" + kId1 + "\"}"), "");
  EXPECT_EQ(reply_body_start("HTTP/1.1 201 Created\r\nContent-Le"), "");
}

Event create_event(const std::string& query, bool body_read, uint64_t realtime_ns) {
  Event e;
  e.action = "request";
  e.realtime_ns = realtime_ns;
  e.raw.client_sock_ino = 77;
  DecodedRequest r;
  r.protocol = "http/1.1";
  r.method = "POST";
  r.path = "/containers/create";
  r.query = query;
  r.operation = "container-create";
  if (body_read) {
    r.add_risk("privileged");
    r.add_risk("host-mount", "/");
    r.add_risk("runtime-socket-mount", "/");
    r.summary["privileged"] = true;
  } else {
    r.unparsed_body = true;
    r.truncated = true;
    r.add_risk("unparsed-body");
  }
  e.request = std::move(r);
  e.severity = "medium";
  return e;
}

TEST(RequestEffectsStage, ReplyIdGivesTheEffectAndAMismatch) {
  TempRoot t;
  t.container(kId1, "/p", rfc3339(now_realtime_ns()), kPrivilegedRoot);
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{t.dir}; };
  s.state_owner = geteuid();
  RequestEffects fx(s);
  Event e = create_event("name=p", false, now_realtime_ns());
  e.request->status_code = 201;
  e.request->reply_id = kId1;
  std::vector<Event> in;
  in.push_back(std::move(e));
  auto out = fx.admit(std::move(in), RequestEffects::Clock::now());
  ASSERT_EQ(out.size(), 1u);  // on disk before the reply: resolved at once
  const auto& r = *out[0].request;
  ASSERT_TRUE(r.effect);
  EXPECT_EQ(r.effect->status, "verified");
  EXPECT_EQ(r.effect->container_id, kId1);
  EXPECT_TRUE(r.effect->privileged);
  EXPECT_EQ(r.effect->host_mounts, std::vector<std::string>{"/"});
  EXPECT_TRUE(r.has_risk("privileged"));
  EXPECT_TRUE(r.has_risk("host-mount"));
  EXPECT_TRUE(r.has_risk("effect-mismatch"));
  EXPECT_TRUE(r.has_risk("unparsed-body"));  // both readings kept
  EXPECT_EQ(out[0].severity, "high");
  EXPECT_EQ(out[0].severity_score, 73);
  ASSERT_FALSE(r.effect->namespaces.empty());
  EXPECT_EQ(r.effect->namespaces[0], (std::pair<std::string, std::string>{"network", "none"}));
}

TEST(RequestEffectsStage, WithoutAReplyTheNewContainerOnDiskIsFound) {
  TempRoot t;
  const uint64_t now = now_realtime_ns();
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{t.dir}; };
  s.state_owner = geteuid();
  RequestEffects fx(s);
  // An old container with the same settings: created long before the request, never claimed.
  t.container(kId2, "/old", rfc3339(now - 3600ull * 1000000000ull), kPrivilegedRoot);
  std::vector<Event> in;
  in.push_back(create_event("name=fresh", true, now));
  auto t0 = RequestEffects::Clock::now();
  EXPECT_TRUE(fx.admit(std::move(in), t0).empty());  // nothing on disk yet: held
  EXPECT_EQ(fx.pending(), 1u);
  t.container(kId1, "/fresh", rfc3339(now + 5'000'000), kPrivilegedRoot);
  auto out = fx.expire(t0 + std::chrono::milliseconds(500));
  ASSERT_EQ(out.size(), 1u);
  const auto& r = *out[0].request;
  EXPECT_EQ(r.effect->status, "verified");
  EXPECT_EQ(r.effect->container_id, kId1);
  EXPECT_FALSE(r.has_risk("effect-mismatch"));  // the body said what the daemon did
  EXPECT_TRUE(r.effect->mismatch.empty());

  // A create whose container never shows up: unknown after the window, with the reason.
  std::vector<Event> in2;
  in2.push_back(create_event("name=never", false, now));
  EXPECT_TRUE(fx.admit(std::move(in2), t0).empty());
  EXPECT_TRUE(fx.expire(t0 + std::chrono::milliseconds(4900)).empty());
  auto late = fx.expire(t0 + std::chrono::milliseconds(5000));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].request->effect->status, "unknown");
  EXPECT_EQ(late[0].request->effect->reason, "not-found");
  EXPECT_EQ(late[0].severity, "medium");  // the decoded reading stays

  // Refused by the daemon: no effect to look for.
  std::vector<Event> in3;
  in3.push_back(create_event("name=dup", false, now));
  in3[0].request->status_code = 409;
  auto refused = fx.admit(std::move(in3), t0);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].request->effect->reason, "refused");
}

TEST(RequestEffectsStage, FloodStaysWithinTheBound) {
  EffectLimits lim;
  lim.max_pending = 64;
  lim.max_bytes = 256 * 1024;
  RequestEffects::Sources s;
  s.docker_roots = [] { return std::vector<std::string>{"/nonexistent-sw-root"}; };
  RequestEffects fx(s, lim);
  auto t0 = RequestEffects::Clock::now();
  size_t released = 0, queue_full = 0, max_pending = 0, max_bytes = 0;
  for (int i = 0; i < 20000; i++) {
    std::vector<Event> in;
    in.push_back(create_event("name=c" + std::to_string(i), false, now_realtime_ns()));
    in[0].request->body.assign(64 * 1024, ' ');  // dropped at admission: never held
    in[0].request->summary["command"] = std::vector<std::string>(20, std::string(100, 'x'));
    for (auto& e : fx.admit(std::move(in), t0)) {
      released++;
      if (e.request->effect->reason == "queue-full") queue_full++;
    }
    max_pending = std::max(max_pending, fx.pending());
    max_bytes = std::max(max_bytes, fx.pending_bytes());
  }
  EXPECT_LE(max_pending, 64u);
  EXPECT_LE(max_bytes, lim.max_bytes);
  EXPECT_EQ(released + fx.pending(), 20000u);  // nothing lost: overflow goes out, marked
  EXPECT_EQ(queue_full, released);
  EXPECT_EQ(fx.stats().queue_full, queue_full);
  const size_t held = fx.pending();
  EXPECT_GT(held, 0u);
  auto rest = fx.flush();
  EXPECT_EQ(rest.size(), held);
  EXPECT_EQ(fx.pending(), 0u);
  EXPECT_EQ(fx.pending_bytes(), 0u);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back().request->effect->reason, "agent-exit");
}

// ---- containerd: the task bundle's spec ----------------------------------

// A privileged container as containerd's runc bundle holds it (ctr run --privileged
// --mount type=bind,src=/,dst=/host): every capability, every device, / mounted.
std::string privileged_bundle_spec() {
  nlohmann::json caps = nlohmann::json::array();
  for (int i = 0; i < 41; i++) caps.push_back("CAP_" + std::to_string(i));
  caps[0] = "CAP_SYS_ADMIN";
  nlohmann::json spec = {
      {"process", {{"args", {"/bin/sh"}}, {"capabilities", {{"bounding", caps}, {"effective", caps}}}}},
      {"root", {{"path", "rootfs"}}},
      {"mounts", {{{"destination", "/host"}, {"type", "bind"}, {"source", "/"}, {"options", {"rbind", "ro"}}}}},
      {"linux",
       {{"namespaces", {{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}, {{"type", "network"}}}},
        {"resources", {{"devices", {{{"allow", true}, {"access", "rwm"}}}}}}}}};
  return spec.dump();
}

struct ContainerdState {
  TempRoot t;  // t.dir plays containerd's state directory
  std::string bundle(const std::string& ns, const std::string& id) const {
    return t.dir + "/io.containerd.runtime.v2.task/" + ns + "/" + id;
  }
};

TEST(RequestEffectsState, ContainerdIdentifiersConfigAndHostileBundles) {
  const std::vector<std::string> good{"a", "t1", "k8s.io", "moby", "a-b_c.d", std::string(76, 'x')};
  for (const auto& ok : good) EXPECT_TRUE(is_containerd_identifier(ok)) << ok;
  const std::vector<std::string> bad{"", "..", "../x", "a/b", "-a", "a-", "a..b", "a b", "a\nb", std::string(77, 'x')};
  for (const auto& b : bad) EXPECT_FALSE(is_containerd_identifier(b)) << b;

  ContainerdState c;
  const uint32_t me = geteuid();
  // The state directory: the flag, else the config file's top-level key, else the default.
  c.t.write(c.t.dir + "/config.toml",
            "version = 2\n# state = \"/commented\"\nroot = \"/r\"\n  state = '/from/config/'\n[grpc]\nstate = \"/not/top\"\n");
  EXPECT_EQ(containerd_state_from("containerd --state /s --config " + c.t.dir + "/config.toml", me), "/s");
  EXPECT_EQ(containerd_state_from(std::string("containerd\0-c\0", 14) + c.t.dir + "/config.toml", me), "/from/config");
  EXPECT_EQ(containerd_state_from("containerd --config=" + c.t.dir + "/config.toml", me + 1), kDefaultContainerdState);
  EXPECT_EQ(containerd_state_from("containerd --config " + c.t.dir + "/none.toml", me), kDefaultContainerdState);
  c.t.write(c.t.dir + "/esc.toml", "state = \"/a\\u002fb\"\n");
  EXPECT_EQ(containerd_state_from("containerd -c " + c.t.dir + "/esc.toml", me), kDefaultContainerdState);

  const std::vector<std::string> states{c.t.dir + "/nowhere", c.t.dir};
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me));  // no task yet
  c.t.write(c.bundle("swtest", "t1") + "/config.json", privileged_bundle_spec());
  auto got = read_containerd_bundle(states, "swtest", "t1", me);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->state, c.t.dir);
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me + 1));  // another owner's state
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "../swtest/t1", me));
  EXPECT_FALSE(read_containerd_bundle(states, "..", "swtest", me));
  // A symlinked bundle or namespace directory, a symlinked spec, a huge one, a malformed one.
  const std::string b = c.bundle("swtest", "t1");
  fs::rename(b, b + "-real");
  fs::create_directory_symlink(b + "-real", b);
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me));
  fs::remove(b);
  fs::rename(b + "-real", b);
  const std::string ns = c.t.dir + "/io.containerd.runtime.v2.task/swtest";
  fs::rename(ns, ns + "-real");
  fs::create_directory_symlink(ns + "-real", ns);
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me));
  fs::remove(ns);
  fs::rename(ns + "-real", ns);
  ASSERT_TRUE(read_containerd_bundle(states, "swtest", "t1", me));
  fs::rename(b + "/config.json", b + "/spec.json");
  fs::create_symlink(b + "/spec.json", b + "/config.json");
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me));
  fs::remove(b + "/config.json");
  c.t.write(b + "/config.json", "{\"a\":\"" + std::string(kDockerStateMax, 'a') + "\"}");
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me));
  c.t.write(b + "/config.json", "{\"mounts\":[");
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me));
  c.t.write(b + "/config.json", std::string(300, '[') + std::string(300, ']'));
  EXPECT_FALSE(read_containerd_bundle(states, "swtest", "t1", me));
}

TEST(RequestEffectsState, CriSpecAsRunDropsOwnMountsAndResolvesJoinedNamespaces) {
  ContainerdState c;
  // A fake proc root: PROC/1/ns/{pid,net} stand for the host's namespaces (stat follows the links).
  const std::string proc = c.t.dir + "/proc";
  fs::create_directories(proc + "/1/ns");
  c.t.write(c.t.dir + "/host-pid", "");
  c.t.write(c.t.dir + "/host-net", "");
  c.t.write(c.t.dir + "/pod-pid", "");
  fs::create_symlink(c.t.dir + "/host-pid", proc + "/1/ns/pid");
  fs::create_symlink(c.t.dir + "/host-net", proc + "/1/ns/net");
  nlohmann::json spec = {
      {"mounts",
       {{{"destination", "/etc/hosts"}, {"type", "bind"}, {"options", {"rbind"}},
         {"source", "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/abc/hosts"}},
        {{"destination", "/dev/termination-log"}, {"type", "bind"}, {"options", {"rbind"}},
         {"source", "/var/lib/containerd/io.containerd.grpc.v1.cri/containers/def/termination"}},
        {{"destination", "/host"}, {"type", "bind"}, {"options", {"rbind"}}, {"source", "/"}}}},
      {"linux",
       {{"namespaces",
         {{{"type", "pid"}, {"path", c.t.dir + "/pod-pid"}},      // the pod's own: a namespace of its own
          {{"type", "network"}, {"path", c.t.dir + "/host-net"}},  // the host's
          {{"type", "ipc"}, {"path", c.t.dir + "/gone"}},          // unreadable: stays joined
          {{"type", "mount"}}}}}}};
  auto run = nlohmann::json::parse(containerd_spec_as_run(spec.dump(), proc));
  ASSERT_EQ(run["mounts"].size(), 1u);  // the CRI plugin's own files are not the caller's mounts
  EXPECT_EQ(run["mounts"][0]["source"], "/");
  const auto& ns = run["linux"]["namespaces"];
  ASSERT_EQ(ns.size(), 3u);  // network (the host's) is gone: read as the host's
  EXPECT_EQ(ns[0], (nlohmann::json{{"type", "pid"}}));
  EXPECT_EQ(ns[1]["type"], "ipc");
  EXPECT_TRUE(ns[1].contains("path"));
  EXPECT_EQ(containerd_spec_as_run("not json", proc), "not json");
}

TEST(RequestEffectsState, RecentBundlesAreNewestFirstAndBounded) {
  ContainerdState c;
  const uint32_t me = geteuid();
  for (const char* id : {"a1", "a2", "a3"}) c.t.write(c.bundle(kCriNamespace, id) + "/config.json", R"({"annotations":{}})");
  c.t.write(c.bundle(kCriNamespace, "bad..id") + "/config.json", "{}");  // not an identifier: never read
  auto all = recent_containerd_bundles({c.t.dir}, kCriNamespace, 0, me);
  EXPECT_EQ(all.size(), 3u);
  EXPECT_EQ(recent_containerd_bundles({c.t.dir}, kCriNamespace, 0, me, 2).size(), 2u);
  EXPECT_TRUE(recent_containerd_bundles({c.t.dir}, kCriNamespace, now_realtime_ns() + 60'000'000'000ull, me).empty());
  EXPECT_TRUE(recent_containerd_bundles({c.t.dir}, kCriNamespace, 0, me + 1).empty());
  EXPECT_TRUE(recent_containerd_bundles({c.t.dir}, "..", 0, me).empty());
}

Event containerd_event(const std::string& op, const std::string& ns, const std::string& id, bool body_read) {
  Event e;
  e.action = "request";
  e.realtime_ns = now_realtime_ns();
  e.raw.client_sock_ino = 78;
  DecodedRequest r;
  r.protocol = "http/2";
  r.grpc_service = op == "containerd-task-create" ? "containerd.services.tasks.v1.Tasks"
                                                  : "containerd.services.containers.v1.Containers";
  r.grpc_method = "Create";
  r.operation = op;
  r.containerd_namespace = ns;
  if (!id.empty()) r.summary["container"] = id;
  if (op == "containerd-container-create") {
    if (body_read) {
      summarize_oci_spec(r, Json::parse(privileged_bundle_spec()));  // as the decoder reads a whole spec
      EXPECT_TRUE(r.has_risk("privileged"));
    } else {
      r.unparsed_body = true;
      r.truncated = true;
      r.add_risk("unparsed-body");
    }
  }
  e.request = std::move(r);
  e.severity = "low";
  return e;
}

TEST(RequestEffectsStage, ContainerdTaskCreateIsJudgedByItsBundle) {
  ContainerdState c;
  c.t.write(c.bundle("swtest", "t1") + "/config.json", privileged_bundle_spec());
  RequestEffects::Sources s;
  s.containerd_states = [&] { return std::vector<std::string>{c.t.dir}; };
  s.state_owner = geteuid();
  RequestEffects fx(s);
  const auto now = RequestEffects::Clock::now();

  // A task create says nothing about privilege: the bundle does, and the severity follows it.
  auto out = fx.admit(one(containerd_event("containerd-task-create", "swtest", "t1", false)), now);
  ASSERT_EQ(out.size(), 1u);
  const auto& r = *out[0].request;
  ASSERT_TRUE(r.effect);
  EXPECT_EQ(r.effect->status, "verified");
  EXPECT_EQ(r.effect->source, "containerd-bundle");
  EXPECT_EQ(r.effect->container_id, "t1");
  EXPECT_TRUE(r.effect->privileged);
  EXPECT_EQ(r.effect->host_mounts, std::vector<std::string>{"/"});
  EXPECT_TRUE(r.effect->mismatch.empty());
  EXPECT_TRUE(r.has_risk("privileged"));
  EXPECT_FALSE(r.has_risk("effect-mismatch"));
  EXPECT_EQ(out[0].severity, "high");

  // A container create whose spec could not be read: the same bundle is a mismatch.
  out = fx.admit(one(containerd_event("containerd-container-create", "swtest", "t1", false)), now);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].request->effect);
  EXPECT_TRUE(out[0].request->has_risk("effect-mismatch"));
  EXPECT_NE(std::find(out[0].request->effect->mismatch.begin(), out[0].request->effect->mismatch.end(), "privileged"),
            out[0].request->effect->mismatch.end());
  // ... and one whose spec said it: no mismatch.
  out = fx.admit(one(containerd_event("containerd-container-create", "swtest", "t1", true)), now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].request->has_risk("effect-mismatch"));

  // An id the decoder could not read, or a hostile one: nothing to look for.
  for (const char* bad : {"", "../swtest/t1"}) {
    out = fx.admit(one(containerd_event("containerd-task-create", "swtest", bad, false)), now);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].request->effect->status, "unknown");
    EXPECT_EQ(out[0].request->effect->reason, "target-unknown");
  }

  // Not started yet: held, found when the bundle appears (a tick, or the container's first
  // exec), else not-found at the end of the window.
  out = fx.admit(one(containerd_event("containerd-container-create", "swtest", "t2", true)), now);
  EXPECT_TRUE(out.empty());
  out = fx.admit(one(containerd_event("containerd-container-create", "swtest", "t3", true)), now);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(fx.pending(), 2u);
  c.t.write(c.bundle("swtest", "t2") + "/config.json", privileged_bundle_spec());
  out = fx.on_exec(now + std::chrono::milliseconds(100));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->effect->container_id, "t2");
  EXPECT_EQ(out[0].request->effect->status, "verified");
  out = fx.expire(now + std::chrono::seconds(6));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->effect->status, "unknown");
  EXPECT_EQ(out[0].request->effect->reason, "not-found");
  EXPECT_EQ(out[0].request->effect->container_id, "t3");
}

TEST(RuntimeExecsRecords, RuncArgsAndCapabilities) {
  EXPECT_EQ(exec_id_from_runc_args({"runc", "--root", "/r", "exec", "--process", "/tmp/p.json", "--detach",
                                    "--pid-file", "/run/x/moby/" + kId1 + "/" + kId2 + ".pid", kId1}),
            kId2);
  EXPECT_EQ(exec_id_from_runc_args({"runc", "exec", "--pid-file=/b/init.pid", "c"}), "init");
  EXPECT_EQ(exec_id_from_runc_args({"runc", "exec", "--pid-file"}), "");
  EXPECT_TRUE(cap_hex_has_sys_admin("000001ffffffffff"));
  EXPECT_FALSE(cap_hex_has_sys_admin("00000000a80425fb"));  // Docker's default set
  EXPECT_TRUE(cap_hex_has_sys_admin("0000000000200000\n"));
  EXPECT_FALSE(cap_hex_has_sys_admin("1"));
}

ProcEvent proc(ProcEventKind k, uint32_t tgid, uint32_t ppid, uint64_t cgroup, std::vector<std::string> args,
               uint64_t ts) {
  ProcEvent ev;
  ev.kind = k;
  ev.tgid = tgid;
  ev.ppid = ppid;
  ev.cgroup_id = cgroup;
  ev.args = std::move(args);
  if (!ev.args.empty()) ev.filename = ev.args[0];
  ev.ts_boot_ns = ts;
  return ev;
}

TEST(RuntimeExecsRecords, OnlyExecsEnteredFromOutsideTheContainer) {
  ProcessTable procs("/nonexistent-proc");
  const uint64_t host_cg = 10, ctr_cg = 20;
  RuntimeExecs execs(procs, [&](uint64_t cg) { return cg == ctr_cg ? kId1 : std::string(); }, "/nonexistent-proc");
  // runc exec on the host, forked by the shim.
  procs.on_event(proc(ProcEventKind::Fork, 100, 1, host_cg, {}, 1));
  procs.on_event(proc(ProcEventKind::Exec, 100, 1, host_cg,
                      {"/usr/bin/runc", "exec", "--pid-file", "/run/b/" + kId2 + ".pid", kId1}, 2));
  // Its child joins the container's cgroup and execs the requested command.
  procs.on_event(proc(ProcEventKind::Fork, 101, 100, host_cg, {}, 3));
  auto ev = proc(ProcEventKind::Exec, 101, 100, ctr_cg, {"/bin/sh", "-c", "id"}, 4);
  procs.on_event(ev);
  EXPECT_TRUE(execs.on_exec(ev));
  // A process inside the container forking and exec'ing: not the runtime's doing.
  procs.on_event(proc(ProcEventKind::Fork, 102, 101, ctr_cg, {}, 5));
  auto inner = proc(ProcEventKind::Exec, 102, 101, ctr_cg, {"/bin/id"}, 6);
  procs.on_event(inner);
  EXPECT_FALSE(execs.on_exec(inner));
  // A host process's exec in no container.
  procs.on_event(proc(ProcEventKind::Fork, 200, 1, 30, {}, 5));
  auto host = proc(ProcEventKind::Exec, 200, 1, 31, {"/bin/ls"}, 6);
  procs.on_event(host);
  EXPECT_FALSE(execs.on_exec(host));
  ASSERT_EQ(execs.size(), 1u);
  const RuntimeExec* x = execs.find(kId2, "", 0);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->args, (std::vector<std::string>{"/bin/sh", "-c", "id"}));
  EXPECT_EQ(x->container_id, kId1);
  EXPECT_EQ(execs.find("", kId1, 0), x);
  EXPECT_EQ(execs.find("", kId1, 5), nullptr);  // it began before that request
  EXPECT_EQ(execs.find("other", kId1, 0), nullptr);  // the runtime named another exec id
  execs.expire(4 + 10'000'000'001ull);
  EXPECT_EQ(execs.size(), 0u);
}


// The exec record's own capabilities: a process that exited before /proc could be read (here:
// no /proc at all) keeps its privilege; /proc is read only for a record without them.
TEST(RuntimeExecsRecords, CapabilitiesComeFromTheRecordEvenAfterTheProcessIsGone) {
  EXPECT_EQ(cap_effective_hex(0x000001ffffffffffull), "000001ffffffffff");
  EXPECT_EQ(cap_effective_hex(0xa80425fbull), "00000000a80425fb");
  EXPECT_EQ(cap_effective_hex(0), "0000000000000000");
  ProcessTable procs("/nonexistent-proc");
  const uint64_t host_cg = 10, ctr_cg = 20;
  RuntimeExecs execs(procs, [&](uint64_t cg) { return cg == ctr_cg ? kId1 : std::string(); }, "/nonexistent-proc");
  procs.on_event(proc(ProcEventKind::Fork, 100, 1, host_cg, {}, 1));
  procs.on_event(proc(ProcEventKind::Exec, 100, 1, host_cg, {"/usr/bin/runc", "exec", kId1}, 2));
  auto exec_with = [&](uint32_t pid, std::optional<uint64_t> caps, uint64_t ts) -> const RuntimeExec* {
    procs.on_event(proc(ProcEventKind::Fork, pid, 100, host_cg, {}, ts));
    auto ev = proc(ProcEventKind::Exec, pid, 100, ctr_cg, {"/bin/cat", "/etc/shadow"}, ts);
    ev.has_cap_effective = caps.has_value();
    ev.cap_effective = caps.value_or(0);
    procs.on_event(ev);
    EXPECT_TRUE(execs.on_exec(ev));
    return execs.find("", kId1, ts);
  };
  const RuntimeExec* privileged = exec_with(101, 0x000001ffffffffffull, 3);
  ASSERT_NE(privileged, nullptr);
  EXPECT_EQ(privileged->cap_effective, "000001ffffffffff");
  EXPECT_TRUE(privileged->sys_admin);
  const RuntimeExec* docker_default = exec_with(102, 0xa80425fbull, 4);
  ASSERT_NE(docker_default, nullptr);
  EXPECT_EQ(docker_default->cap_effective, "00000000a80425fb");
  EXPECT_FALSE(docker_default->sys_admin);
  const RuntimeExec* unread = exec_with(103, std::nullopt, 5);  // neither the record nor /proc
  ASSERT_NE(unread, nullptr);
  EXPECT_EQ(unread->cap_effective, "");
  EXPECT_FALSE(unread->sys_admin);
}

// `runc exec --detach` can exit before the process it started calls execve: the exec then
// reports the shim, its new parent, whose arguments name no exec id. The exec start that the
// process answered names it (seen in e2e.dockerd.effects.syscall_tp: 1 run in 2 under load).
TEST(RuntimeExecsRecords, ExecReparentedToTheShimLearnsItsIdFromTheStart) {
  ProcessTable procs("/nonexistent-proc");
  const uint64_t host_cg = 10, ctr_cg = 20;
  RuntimeExecs execs(procs, [&](uint64_t cg) { return cg == ctr_cg ? kId1 : std::string(); }, "/nonexistent-proc");
  procs.on_event(proc(ProcEventKind::Fork, 90, 1, host_cg, {}, 1));
  procs.on_event(proc(ProcEventKind::Exec, 90, 1, host_cg, {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby"}, 2));
  procs.on_event(proc(ProcEventKind::Fork, 101, 90, host_cg, {}, 3));
  auto ev = proc(ProcEventKind::Exec, 101, 90, ctr_cg, {"/bin/sh", "-c", "id"}, 4);
  procs.on_event(ev);
  ASSERT_TRUE(execs.on_exec(ev));
  EXPECT_EQ(execs.find(kId2, "", 0), nullptr);  // no id yet
  const RuntimeExec* x = execs.find("", kId1, 0);
  ASSERT_NE(x, nullptr);
  EXPECT_TRUE(x->exec_id.empty());
  execs.learn_exec_id(101, kId2);
  EXPECT_EQ(execs.find(kId2, "", 0), x);
  EXPECT_EQ(x->exec_id, kId2);
  execs.learn_exec_id(101, "other");  // a record's id, once known, is not replaced
  EXPECT_EQ(x->exec_id, kId2);
}
}  // namespace
}  // namespace sockwarden
