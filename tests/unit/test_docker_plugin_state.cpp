// Plugin request effects (docs/request-effects.md): dockerd's plugin store read as hostile
// state (enrich/docker_plugin_state), references resolved as dockerd resolves them, the
// privilege summary, the decoder's reading of plugin bodies, and the judgement and mismatch
// (agent/plugin_effects), also through the effect stage.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "agent/plugin_effects.h"
#include "agent/request_effects.h"
#include "decode/docker_api_decoder.h"
#include "decode/docker_api_routes.h"
#include "decode/docker_plugin_summary.h"
#include "effects_test_util.h"
#include "enrich/docker_plugin_state.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

const std::string kPriv = "5d400abe311d802489400b0333fd9e89670509d53512ecb9ccc5d5073f366634";
const std::string kPlain = "55ecf3b6c1bcf20546486e1def55be4d43ce1c587bbe21a8e20564f743cf2a20";

// config.json exactly as dockerd 20.10 wrote it for `docker plugin create swpriv DIR` of a plugin
// config with CAP_SYS_ADMIN, "/" mounted at /host and host network (tests/e2e's privileged plugin).
std::string privileged_config(const std::string& id, const std::string& name = "swpriv:latest") {
  return R"({"plugin":{"Config":{"Args":{"Description":"","Name":"","Settable":null,"Value":null},"Description":"x","DockerVersion":"20.10.24+dfsg1","Documentation":"x","Entrypoint":["/bin/sh"],"Env":null,"Interface":{"Socket":"x.sock","Types":["docker.volumedriver/1.0"]},"IpcHost":false,"Linux":{"AllowAllDevices":false,"Capabilities":["CAP_SYS_ADMIN"],"Devices":null},"Mounts":[{"Description":"","Destination":"/host","Name":"","Options":["rbind"],"Settable":null,"Source":"/","Type":"bind"}],"Network":{"Type":"host"},"PidHost":false,"PropagatedMount":"","User":{},"WorkDir":"","rootfs":{"diff_ids":["sha256:747e5ca98d63f4c18228024effe29dc563f2b18d06a555449aeea2935946facb"],"type":"layers"}},"Enabled":false,"Id":")" +
         id + R"(","Name":")" + name +
         R"(","Settings":{"Args":[],"Devices":[],"Env":[],"Mounts":[{"Description":"","Destination":"/host","Name":"","Options":["rbind"],"Settable":null,"Source":"/","Type":"bind"}]}},"Rootfs":"","Config":"sha256:e13c173b33a7cdac3e1cc34dd1b818b3f0761dcefe80c9f3faa8745e5b4e9ed8","Blobsums":["sha256:747e5ca98d63f4c18228024effe29dc563f2b18d06a555449aeea2935946facb"],"Manifest":"sha256:7c38eee02724bf8b918720022e06b4d4bfc2b46e28eb1854dca5f5a412156d2b","SwarmServiceID":""})";
}

// A plugin without privileges but a settable mount, as dockerd wrote it after
// `docker plugin set swset data.source=/ DEBUG=1` (its source was /tmp).
std::string settable_config(const std::string& id, const std::string& source = "/", bool enabled = false) {
  const std::string mount = R"({"Description":"","Destination":"/data","Name":"data","Options":["rbind"],"Settable":["source"],"Source":")" +
                            source + R"(","Type":"bind"})";
  return R"({"plugin":{"Config":{"Args":{"Description":"","Name":"","Settable":null,"Value":null},"Description":"y","Entrypoint":["/bin/sleep","300"],"Env":[{"Description":"","Name":"DEBUG","Settable":["value"],"Value":"1"}],"Interface":{"Socket":"y.sock","Types":["docker.volumedriver/1.0"]},"IpcHost":false,"Linux":{"AllowAllDevices":false,"Capabilities":null,"Devices":null},"Mounts":[)" +
         mount + R"(],"Network":{"Type":""},"PidHost":false},"Enabled":)" + (enabled ? "true" : "false") +
         R"(,"Id":")" + id + R"(","Name":"swset:latest","Settings":{"Args":[],"Devices":[],"Env":["DEBUG=1"],"Mounts":[)" +
         mount + R"(]}},"Rootfs":""})";
}

struct Store {
  std::string dir;
  Store() {
    char t[] = "/tmp/sw-plugins-XXXXXX";
    dir = mkdtemp(t);
    fs::create_directories(dir + "/plugins/storage/blobs");
    fs::create_directories(dir + "/plugins/tmp");
  }
  ~Store() { fs::remove_all(dir); }
  std::string pdir(const std::string& id) const { return dir + "/plugins/" + id; }
  void write(const std::string& id, const std::string& text) const {
    fs::create_directories(pdir(id) + "/rootfs");
    std::ofstream(pdir(id) + "/config.json", std::ios::trunc) << text;
  }
};

uint64_t realtime_now() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// A plugin request as the decoder reads it.
DecodedRequest decoded(const std::string& target, const std::string& body) {
  DecodedRequest r;
  r.protocol = "http/1.1";
  r.method = "POST";
  r.target = target;
  auto st = split_target(target);
  r.path = st.path;
  r.query = st.query;
  r.api_version = st.api_version;
  r.body = body;
  r.body_bytes = body.size();
  r.content_length = body.size();
  decode_docker_request(r);
  return r;
}

Event event_of(DecodedRequest r, uint64_t realtime_ns) {
  Event e;
  e.action = "request";
  e.realtime_ns = realtime_ns;
  e.raw.client_sock_ino = 91;
  e.request = std::move(r);
  e.severity = "high";
  return e;
}

TEST(DockerPluginState, FamiliarNamesAsDockerdNormalizesThem) {
  EXPECT_EQ(docker_plugin_familiar_name("swpriv"), "swpriv:latest");
  EXPECT_EQ(docker_plugin_familiar_name("swpriv:latest"), "swpriv:latest");
  EXPECT_EQ(docker_plugin_familiar_name("docker.io/library/swpriv"), "swpriv:latest");
  EXPECT_EQ(docker_plugin_familiar_name("library/swpriv:2"), "swpriv:2");
  EXPECT_EQ(docker_plugin_familiar_name("index.docker.io/vieux/sshfs"), "vieux/sshfs:latest");
  EXPECT_EQ(docker_plugin_familiar_name("docker.io/vieux/sshfs:v1.2"), "vieux/sshfs:v1.2");
  EXPECT_EQ(docker_plugin_familiar_name("localhost:5000/p"), "localhost:5000/p:latest");
  EXPECT_EQ(docker_plugin_familiar_name("localhost/p:1"), "localhost/p:1");
  EXPECT_EQ(docker_plugin_familiar_name("reg.example.com/a/b-c_d.e:1"), "reg.example.com/a/b-c_d.e:1");
  // dockerd cannot resolve these by name.
  EXPECT_EQ(docker_plugin_familiar_name("SWPRIV"), "");                    // uppercase repository
  EXPECT_EQ(docker_plugin_familiar_name("swpriv@sha256:" + kPriv), "");  // canonical
  EXPECT_EQ(docker_plugin_familiar_name(kPriv), "");                      // an id, not a name
  EXPECT_EQ(docker_plugin_familiar_name("a/../b"), "");
  EXPECT_EQ(docker_plugin_familiar_name("sw priv"), "");
  EXPECT_EQ(docker_plugin_familiar_name("swpriv:"), "");
  EXPECT_EQ(docker_plugin_familiar_name("-x"), "");
  EXPECT_EQ(docker_plugin_familiar_name(""), "");
  EXPECT_EQ(docker_plugin_familiar_name(std::string(300, 'a')), "");
}

TEST(DockerPluginState, ReadsTheRealLayoutAndSummarizesPrivileges) {
  Store s;
  const uint32_t me = geteuid();
  s.write(kPriv, privileged_config(kPriv));
  auto p = read_docker_plugin(s.dir, kPriv, me);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "swpriv:latest");
  EXPECT_EQ(p->reference, "");
  EXPECT_FALSE(p->enabled);
  EXPECT_EQ(p->capabilities, std::vector<std::string>{"CAP_SYS_ADMIN"});
  EXPECT_EQ(p->mounts, std::vector<std::string>{"/"});  // Config.Mounts and Settings.Mounts, once
  EXPECT_EQ(p->network, "host");
  EXPECT_FALSE(p->allow_all_devices);
  EXPECT_TRUE(p->settable_sources.empty());
  EXPECT_EQ(p->privileges, (std::vector<std::string>{"network=host", "mount=/", "capabilities=CAP_SYS_ADMIN"}));
  EXPECT_GT(p->written_ns, 0u);

  s.write(kPlain, settable_config(kPlain, "/", true));
  auto q = read_docker_plugin(s.dir, kPlain, me);
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->enabled);
  EXPECT_TRUE(q->capabilities.empty());
  EXPECT_EQ(q->settable_sources, std::vector<std::string>{"/"});
  EXPECT_EQ(q->privileges, std::vector<std::string>{"mount=/"});

  // Devices, allow-all-devices and the host's pid and ipc namespaces.
  const std::string dev = kPriv.substr(0, 63) + "0";
  s.write(dev, R"({"plugin":{"Id":")" + dev +
                   R"(","Name":"d:1","Enabled":true,"Config":{"PidHost":true,"IpcHost":true,"Network":{"Type":"bridge"},"Linux":{"AllowAllDevices":true,"Devices":[{"Path":"/dev/fuse","Settable":["path"]},{"Path":null}]},"Mounts":[{"Source":null,"Destination":"/x","Type":"bind"}]},"Settings":{"Devices":[{"Path":"/dev/mem"}],"Mounts":[]}}})");
  auto d = read_docker_plugin(s.dir, dev, me);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->pid_host && d->ipc_host && d->allow_all_devices);
  EXPECT_EQ(d->devices, (std::vector<std::string>{"/dev/fuse", "/dev/mem"}));
  EXPECT_TRUE(d->mounts.empty());  // no source: nothing from the host
  EXPECT_EQ(d->privileges, (std::vector<std::string>{"host ipc namespace=true", "host pid namespace=true",
                                                     "device=/dev/fuse", "allow-all-devices=true"}));
  EXPECT_EQ(docker_list_plugins(s.dir, me).size(), 3u);  // storage/ and tmp/ are no plugins
}

TEST(DockerPluginState, RefusesHostileStores) {
  Store s;
  const uint32_t me = geteuid();
  s.write(kPriv, privileged_config(kPriv));
  ASSERT_TRUE(read_docker_plugin(s.dir, kPriv, me));
  EXPECT_FALSE(read_docker_plugin(s.dir, kPriv, me + 1));  // another owner's store
  // Ids are 64 lowercase hex before they become a path component.
  EXPECT_FALSE(read_docker_plugin(s.dir, "../plugins/" + kPriv, me));
  EXPECT_FALSE(read_docker_plugin(s.dir, kPriv.substr(0, 12), me));
  std::string upper = kPriv;
  upper[0] = 'D';
  EXPECT_FALSE(read_docker_plugin(s.dir, upper, me));

  // config.json a symlink to a file the linker chose.
  const std::string other = kPlain;
  fs::create_directories(s.pdir(other));
  std::ofstream(s.dir + "/elsewhere.json") << privileged_config(other);
  fs::create_symlink(s.dir + "/elsewhere.json", s.pdir(other) + "/config.json");
  EXPECT_FALSE(read_docker_plugin(s.dir, other, me));
  fs::remove_all(s.pdir(other));
  // The id directory a symlink to a real plugin's: neither read nor listed.
  fs::create_directory_symlink(s.pdir(kPriv), s.pdir(other));
  EXPECT_FALSE(read_docker_plugin(s.dir, other, me));
  EXPECT_EQ(docker_list_plugins(s.dir, me).size(), 1u);
  fs::remove(s.pdir(other));
  // A directory named like no id is not listed, whatever it holds.
  fs::create_directories(s.dir + "/plugins/evil");
  std::ofstream(s.dir + "/plugins/evil/config.json") << privileged_config("evil");
  EXPECT_EQ(docker_list_plugins(s.dir, me).size(), 1u);

  auto refused = [&](const std::string& text) {
    s.write(other, text);
    return !read_docker_plugin(s.dir, other, me);
  };
  EXPECT_FALSE(refused(privileged_config(other)));                      // the control: read
  EXPECT_TRUE(refused(privileged_config(kPriv)));                       // names another id
  EXPECT_TRUE(refused("{\"plugin\":{\"Id\":"));                          // garbage
  EXPECT_TRUE(refused("[1,2]"));                                         // not an object
  EXPECT_TRUE(refused("{\"Id\":\"" + other + "\"}"));                    // no plugin object
  EXPECT_TRUE(refused(std::string(10000, '[') + std::string(10000, ']')));  // too deep
  // Over 1 MiB.
  EXPECT_TRUE(refused("{\"plugin\":{\"Id\":\"" + other + "\",\"Name\":\"x:1\",\"Config\":{},\"Description\":\"" +
                      std::string(kDockerPluginConfigMax, 'a') + "\"}}"));
  // Bounded strings and lists: a name of 5000 bytes, a name with a control character, 300 mounts.
  EXPECT_TRUE(refused(privileged_config(other, std::string(5000, 'a'))));
  EXPECT_TRUE(refused(privileged_config(other, "a\nb:latest")));
  std::string many = "{\"plugin\":{\"Id\":\"" + other + "\",\"Name\":\"m:1\",\"Config\":{\"Mounts\":[";
  for (int i = 0; i < 300; i++) many += std::string(i ? "," : "") + "{\"Source\":\"/m" + std::to_string(i) + "\"}";
  EXPECT_TRUE(refused(many + "]}}}"));
  // Wrong types where dockerd writes strings and lists.
  EXPECT_TRUE(refused("{\"plugin\":{\"Id\":\"" + other + "\",\"Name\":\"m:1\",\"Config\":{\"Mounts\":{\"Source\":\"/\"}}}}"));
  EXPECT_TRUE(refused("{\"plugin\":{\"Id\":\"" + other + "\",\"Name\":\"m:1\",\"Config\":{\"Linux\":{\"Capabilities\":[1]}}}}"));
  // A FIFO instead of the file: refused without blocking.
  fs::remove(s.pdir(other) + "/config.json");
  ASSERT_EQ(mkfifo((s.pdir(other) + "/config.json").c_str(), 0600), 0);
  EXPECT_FALSE(read_docker_plugin(s.dir, other, me));
  // A symlinked plugins/ directory is not listed.
  Store u;
  fs::remove_all(u.dir + "/plugins");
  fs::create_directory_symlink(s.dir + "/plugins", u.dir + "/plugins");
  EXPECT_TRUE(docker_list_plugins(u.dir, me).empty());
}

TEST(DockerPluginState, FindsByIdNameAndUniquePrefixPerRoot) {
  Store a, b;
  const uint32_t me = geteuid();
  a.write(kPriv, privileged_config(kPriv));
  a.write(kPlain, settable_config(kPlain));
  const std::string twin = kPriv.substr(0, 4) + std::string(60, 'f');  // shares "5d40"
  b.write(twin, privileged_config(twin, "vieux/sshfs:latest"));
  std::vector<DockerPluginRecord> all = docker_list_plugins(a.dir, me);
  for (auto& p : docker_list_plugins(b.dir, me)) all.push_back(std::move(p));
  auto find = [&](const std::string& ref) {
    const DockerPluginRecord* p = docker_find_plugin(all, ref);
    return p ? p->id : std::string("none");
  };
  EXPECT_EQ(find(kPriv), kPriv);
  EXPECT_EQ(find("swpriv"), kPriv);
  EXPECT_EQ(find("swpriv:latest"), kPriv);
  EXPECT_EQ(find("docker.io/library/swpriv"), kPriv);
  EXPECT_EQ(find("swset"), kPlain);
  EXPECT_EQ(find("vieux/sshfs"), twin);
  EXPECT_EQ(find("docker.io/vieux/sshfs:latest"), twin);
  EXPECT_EQ(find("swpriv:1"), "none");  // another tag
  EXPECT_EQ(find("SWPRIV"), "none");
  EXPECT_EQ(find("5d400a"), kPriv);     // unique in the first root
  EXPECT_EQ(find("55ecf3"), kPlain);
  EXPECT_EQ(find("5d40ffff"), twin);    // only in the second root
  EXPECT_EQ(find("5"), "none");         // two plugins of the first root share it
  EXPECT_EQ(find(""), "none");
  EXPECT_EQ(find("5d400abe311d802489400b0333fd9e89670509d53512ecb9ccc5d5073f3666341"), "none");
}

TEST(DockerPluginDecode, RoutesBodiesAndTargets) {
  // A name with '/' in the path (dockerd's route is /plugins/{name:.*}/enable).
  EXPECT_EQ(docker_operation("POST", "/plugins/vieux/sshfs:latest/enable"), "plugin-install");
  EXPECT_EQ(docker_operation("POST", "/plugins/swset/set"), "plugin-install");
  EXPECT_EQ(docker_operation("GET", "/plugins/swset/json"), "other");
  EXPECT_EQ(docker_operation("POST", "/plugins/swset/disable"), "other");

  auto pull = decoded("/v1.41/plugins/pull?remote=vieux%2Fsshfs&name=sshfs",
                      R"([{"Name":"network","Description":"","Value":["host"]},{"name":"mount","value":["/var/lib/docker/plugins/","/"]},{"Name":"capabilities","Value":["CAP_SYS_ADMIN"]}])");
  EXPECT_EQ(pull.operation, "plugin-install");
  EXPECT_EQ(pull.summary_string("action"), "pull");
  EXPECT_EQ(plugin_request_target(pull), "sshfs");
  EXPECT_EQ(pull.summary["privileges"],
            Json::parse(R"(["network=host","mount=/var/lib/docker/plugins/","mount=/","capabilities=CAP_SYS_ADMIN"])"));
  EXPECT_TRUE(pull.has_risk("privileged"));
  EXPECT_TRUE(pull.has_risk("host-mount"));
  EXPECT_TRUE(pull.has_risk("host-network"));
  EXPECT_FALSE(pull.unparsed_body);
  // Without `name` a pull installs it under `remote`.
  EXPECT_EQ(plugin_request_target(decoded("/plugins/pull?remote=vieux/sshfs", "[]")), "vieux/sshfs");

  auto set = decoded("/v1.41/plugins/swset/set", R"(["data.source=/","DEBUG=1","TOKEN=s3cret","fuse.path=/dev/fuse"])");
  EXPECT_EQ(plugin_request_target(set), "swset");
  // Env values may be secrets: their keys only.
  EXPECT_EQ(set.summary["settings"], Json::parse(R"(["data.source=/","DEBUG","TOKEN","fuse.path=/dev/fuse"])"));
  EXPECT_TRUE(set.has_risk("host-mount"));
  EXPECT_TRUE(set.has_risk("device"));

  auto enable = decoded("/v1.41/plugins/vieux%2Fsshfs:latest/enable?timeout=30", "");
  EXPECT_EQ(plugin_request_target(enable), "vieux/sshfs:latest");
  auto create = decoded("/v1.41/plugins/create?name=swpriv", std::string("rootfs/\0\0\0", 10) + "tar bytes");
  EXPECT_EQ(plugin_request_target(create), "swpriv");
  EXPECT_TRUE(create.unparsed_body);  // a tar: nothing decodes it, the effect is the whole reading

  // A hostile body: thousands of privileges stay bounded.
  std::string big = "[";
  for (int i = 0; i < 5000; i++) big += std::string(i ? "," : "") + "{\"Name\":\"mount\",\"Value\":[\"/m" + std::to_string(i) + "\"]}";
  auto flood = decoded("/plugins/pull?remote=x", big + "]");
  EXPECT_EQ(flood.summary["privileges"].size(), kPluginBodyMaxItems);
  EXPECT_LE(flood.risk.size(), kPluginBodyMaxItems + 2);
}

TEST(PluginEffectJudgement, PrivilegesFlagsAndMismatch) {
  DockerPluginRecord p;
  p.id = kPriv;
  p.name = "swpriv:latest";
  p.capabilities = {"CAP_SYS_ADMIN"};
  p.mounts = {"/"};
  p.network = "host";
  p.privileges = {"network=host", "mount=/", "capabilities=CAP_SYS_ADMIN"};

  // create: a tar body; the effect is the whole reading, no mismatch.
  auto c = plugin_effect(p, decoded("/plugins/create?name=swpriv", "tar"));
  EXPECT_EQ(c.status, "verified");
  EXPECT_EQ(c.source, "docker-plugin-store");
  EXPECT_TRUE(c.plugin && c.privileged);
  EXPECT_EQ(c.plugin_id, kPriv);
  EXPECT_EQ(c.host_mounts, std::vector<std::string>{"/"});
  EXPECT_EQ(c.capabilities, std::vector<std::string>{"SYS_ADMIN"});
  ASSERT_EQ(c.namespaces.size(), 1u);
  EXPECT_EQ(c.namespaces[0], (std::pair<std::string, std::string>{"network", "host"}));
  auto has = [](const RequestEffect& e, const char* f) {
    for (const auto& x : e.risk)
      if (x.name == f) return true;
    return false;
  };
  EXPECT_TRUE(has(c, "privileged") && has(c, "host-mount") && has(c, "runtime-socket-mount") &&
              has(c, "plugin-install") && has(c, "host-network") && has(c, "cap-add"));
  EXPECT_TRUE(c.mismatch.empty());

  // pull: every privilege accepted -> no mismatch; one not listed -> that one.
  const std::string all = R"([{"Name":"network","Value":["host"]},{"Name":"mount","Value":["/"]},{"Name":"capabilities","Value":["CAP_SYS_ADMIN"]}])";
  EXPECT_TRUE(plugin_effect(p, decoded("/plugins/pull?remote=swpriv", all)).mismatch.empty());
  const std::string some = R"([{"Name":"network","Value":["host"]}])";
  EXPECT_EQ(plugin_effect(p, decoded("/plugins/pull?remote=swpriv", some)).mismatch,
            (std::vector<std::string>{"mount=/", "capabilities=CAP_SYS_ADMIN"}));
  // An unread body (padding past the payload cap) and a privileged plugin: every privilege.
  DecodedRequest cut = decoded("/plugins/pull?remote=swpriv", "");
  cut.body_bytes = 20000;
  cut.truncated = cut.unparsed_body = true;
  EXPECT_EQ(plugin_effect(p, cut).mismatch.size(), 3u);
  // The same for an upgrade.
  EXPECT_EQ(plugin_effect(p, decoded("/plugins/swpriv/upgrade?remote=swpriv:2", some)).mismatch.size(), 2u);
  // An unprivileged plugin with an unread body: nothing to hide, no mismatch (no false alarm).
  DockerPluginRecord plain;
  plain.id = kPlain;
  plain.name = "plain:latest";
  auto quiet = plugin_effect(plain, cut);
  EXPECT_TRUE(quiet.mismatch.empty());
  EXPECT_FALSE(quiet.privileged);
  EXPECT_EQ(quiet.risk, (std::vector<RiskFlag>{{"plugin-install", ""}}));

  // set: a read body is reported (decoded settings), the effect is the store; an unread one
  // is a mismatch for every settable source now in place.
  DockerPluginRecord sp;
  sp.id = kPlain;
  sp.name = "swset:latest";
  sp.mounts = {"/"};
  sp.settable_sources = {"/"};
  sp.privileges = {"mount=/"};
  auto set = plugin_effect(sp, decoded("/plugins/swset/set", R"(["data.source=/"])"));
  EXPECT_TRUE(set.mismatch.empty());
  EXPECT_EQ(set.host_mounts, std::vector<std::string>{"/"});
  DecodedRequest hidden = decoded("/plugins/swset/set", "");
  hidden.body_bytes = 17000;
  hidden.unparsed_body = true;
  EXPECT_EQ(plugin_effect(sp, hidden).mismatch, std::vector<std::string>{"host-mount:/"});
  // enable: the plugin with its state, no mismatch.
  sp.enabled = true;
  auto en = plugin_effect(sp, decoded("/plugins/swset/enable?timeout=0", ""));
  EXPECT_TRUE(en.plugin_enabled);
  EXPECT_TRUE(en.mismatch.empty());
}

TEST(PluginEffectsStage, ResolvedFromTheStoreWrittenAfterTheRequest) {
  Store s;
  RequestEffects::Sources src;
  src.docker_roots = [&] { return std::vector<std::string>{s.dir}; };
  src.state_owner = geteuid();
  RequestEffects fx(src);
  const uint64_t now = realtime_now();
  auto t0 = RequestEffects::Clock::now();

  // Created: the plugin is in the store before the reply; resolved at once.
  s.write(kPriv, privileged_config(kPriv));
  DecodedRequest r = decoded("/v1.41/plugins/create?name=swpriv", "tar");
  r.status_code = 204;
  auto out = fx.admit(one(event_of(std::move(r), now)), t0);
  ASSERT_EQ(out.size(), 1u);
  const auto& got = *out[0].request;
  ASSERT_TRUE(got.effect);
  EXPECT_EQ(got.effect->status, "verified");
  EXPECT_EQ(got.effect->plugin_id, kPriv);
  EXPECT_TRUE(got.has_risk("privileged"));
  EXPECT_TRUE(got.has_risk("host-mount"));
  EXPECT_FALSE(got.has_risk("effect-mismatch"));
  EXPECT_EQ(out[0].severity, "high");

  // A create of a name whose plugin predates the request (dockerd refuses it; without the
  // reply the agent cannot tell): not this request's plugin, unknown at the end of the window.
  const uint64_t later = now + 60ull * 1'000'000'000ull;
  auto t1 = t0 + std::chrono::seconds(1);
  EXPECT_TRUE(fx.admit(one(event_of(decoded("/plugins/create?name=swpriv", "tar"), later)), t1).empty());
  EXPECT_TRUE(fx.expire(t1 + std::chrono::milliseconds(4900)).empty());
  auto late = fx.expire(t1 + std::chrono::milliseconds(5000));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].request->effect->status, "unknown");
  EXPECT_EQ(late[0].request->effect->reason, "not-found");

  // A set without a reply, half a second after the plugin's create wrote the store (the e2e
  // test's pace): the create's file is not the set's effect; held until the store is rewritten.
  auto t2 = t1 + std::chrono::seconds(10);
  s.write(kPlain, settable_config(kPlain, "/tmp"));
  const uint64_t set_at = realtime_now() + 500'000'000ull;
  auto hidden_set = [] {
    DecodedRequest h = decoded("/plugins/swset/set", "");
    h.body_bytes = 17000;
    h.unparsed_body = h.truncated = true;
    return h;
  };
  EXPECT_TRUE(fx.admit(one(event_of(hidden_set(), set_at)), t2).empty());
  EXPECT_TRUE(fx.expire(t2 + std::chrono::milliseconds(500)).empty());
  // dockerd rewrites config.json with the new source after the request.
  s.write(kPlain, settable_config(kPlain, "/"));
  const uint64_t written = set_at + 20'000'000ull;
  struct timespec times[2] = {{static_cast<time_t>(written / 1'000'000'000ull), static_cast<long>(written % 1'000'000'000ull)},
                              {static_cast<time_t>(written / 1'000'000'000ull), static_cast<long>(written % 1'000'000'000ull)}};
  ASSERT_EQ(utimensat(AT_FDCWD, (s.pdir(kPlain) + "/config.json").c_str(), times, 0), 0);
  auto set_out = fx.expire(t2 + std::chrono::milliseconds(1000));
  ASSERT_EQ(set_out.size(), 1u);
  const auto& sr = *set_out[0].request;
  EXPECT_EQ(sr.effect->status, "verified");
  EXPECT_EQ(sr.effect->host_mounts, std::vector<std::string>{"/"});
  EXPECT_TRUE(sr.has_risk("effect-mismatch"));  // an unread body, a settable source in place
  // A set the store never shows (refused, without the reply to say so): judged as it stands at
  // the end of the window (a set of a plugin that was there).
  auto t2b = t2 + std::chrono::seconds(10);
  EXPECT_TRUE(fx.admit(one(event_of(hidden_set(), written + 1'000'000'000ull)), t2b).empty());
  EXPECT_TRUE(fx.expire(t2b + std::chrono::milliseconds(4900)).empty());
  auto stale = fx.expire(t2b + std::chrono::milliseconds(5000));
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].request->effect->status, "verified");
  EXPECT_EQ(stale[0].request->effect->host_mounts, std::vector<std::string>{"/"});

  // A plugin that never appears: not-found. A request naming nothing: target-unknown.
  auto t3 = t2 + std::chrono::seconds(10);
  EXPECT_TRUE(fx.admit(one(event_of(decoded("/plugins/pull?remote=nowhere/none", "[]"), realtime_now())), t3).empty());
  auto nf = fx.expire(t3 + std::chrono::milliseconds(5000));
  ASSERT_EQ(nf.size(), 1u);
  EXPECT_EQ(nf[0].request->effect->reason, "not-found");
  auto tu = fx.admit(one(event_of(decoded("/plugins/create", "tar"), realtime_now())), t3);
  ASSERT_EQ(tu.size(), 1u);
  EXPECT_EQ(tu[0].request->effect->reason, "target-unknown");
  // Refused by the daemon: nothing was installed.
  DecodedRequest refused = decoded("/plugins/create?name=swpriv", "tar");
  refused.status_code = 500;
  auto rf = fx.admit(one(event_of(std::move(refused), realtime_now())), t3);
  ASSERT_EQ(rf.size(), 1u);
  EXPECT_EQ(rf[0].request->effect->reason, "refused");
}

}  // namespace
}  // namespace sockwarden
