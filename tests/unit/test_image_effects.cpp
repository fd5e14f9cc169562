// Image request effects (agent/image_effects, docs/request-effects.md): dockerd's
// repositories.json and podman's images.json read with hostile files, references as requests name them, and the stage
// judging pulls, loads, builds and tags by what the store now says.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "effects_test_util.h"
#include "agent/image_effects.h"
#include "agent/request_effects.h"
#include "decode/docker_api_decoder.h"
#include "decode/docker_api_routes.h"
#include "enrich/docker_image_state.h"
#include "enrich/containerd_effect_state.h"
#include "enrich/containerd_image_state.h"
#include "enrich/podman_image_state.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

struct TempRoot {
  std::string dir;
  TempRoot() {
    char t[] = "/tmp/sw-images-XXXXXX";
    dir = mkdtemp(t);
    fs::create_directories(dir + "/image/overlay2");
  }
  ~TempRoot() { fs::remove_all(dir); }
  std::string repos() const { return dir + "/image/overlay2/repositories.json"; }
  void write(const std::string& text) const {
    std::string tmp = repos() + ".tmp";
    std::ofstream(tmp) << text;
    fs::rename(tmp, repos());  // as dockerd does: a new file replaces the old
  }
  void refs(const std::vector<std::pair<std::string, std::string>>& r) const {
    nlohmann::json j{{"Repositories", nlohmann::json::object()}};
    for (const auto& [ref, id] : r) {
      std::string repo = ref.substr(0, ref.find_first_of("@:", ref.rfind('/') == std::string::npos ? 0 : ref.rfind('/')));
      j["Repositories"][repo][ref] = id;
    }
    write(j.dump());
  }
};

Event image_request(const std::string& method_path, std::optional<int> status = 200) {
  Event e;
  e.action = "request";
  e.raw.client_sock_ino = 91;
  DecodedRequest r;
  r.protocol = "http/1.1";
  r.method = "POST";
  r.target = method_path;
  auto t = split_target(method_path);
  r.path = t.path;
  r.query = t.query;
  r.operation = docker_operation("POST", r.path);
  decode_docker_request(r);
  r.status_code = status;
  e.request = std::move(r);
  e.severity = "low";
  return e;
}

TEST(ImageEffectsState, ReadsRepositoriesAndRefusesHostileFiles) {
  TempRoot t;
  const uint32_t me = geteuid();
  t.write(R"({"Repositories":{"local/busybox":{"local/busybox:1":")" + kA +
          R"(","local/busybox@sha256:)" + std::string(64, 'd') + R"(":")" + kA +
          R"("},"bad":{"bad:1":"sha256:xyz","bad:2":7,"bad 3":")" + kB + R"("}}})");
  auto r = read_docker_image_refs(t.dir, me);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 2u);  // malformed ids, non-strings and names with spaces skipped
  EXPECT_EQ(r->at("local/busybox:1"), kA);
  EXPECT_FALSE(read_docker_image_refs(t.dir, me + 1));  // owned by someone else
  // A symlinked repositories.json, a symlinked driver directory, too deep, not an object.
  fs::rename(t.repos(), t.dir + "/real.json");
  fs::create_symlink(t.dir + "/real.json", t.repos());
  EXPECT_FALSE(read_docker_image_refs(t.dir, me));
  fs::remove(t.repos());
  fs::rename(t.dir + "/image/overlay2", t.dir + "/elsewhere");
  fs::create_directory_symlink(t.dir + "/elsewhere", t.dir + "/image/overlay2");
  std::ofstream(t.dir + "/elsewhere/repositories.json") << R"({"Repositories":{}})";
  EXPECT_FALSE(read_docker_image_refs(t.dir, me));
  fs::remove(t.dir + "/image/overlay2");
  fs::create_directories(t.dir + "/image/overlay2");
  t.write(std::string(5000, '[') + std::string(5000, ']'));
  EXPECT_FALSE(read_docker_image_refs(t.dir, me));
  EXPECT_FALSE(parse_docker_repositories("[1]"));
  EXPECT_FALSE(parse_docker_repositories(R"({"Repositories":[]})"));
  EXPECT_EQ(parse_docker_repositories(R"({"Repositories":{}})")->size(), 0u);
  EXPECT_FALSE(read_docker_image_refs(t.dir + "/missing", me));
}

TEST(ImageEffectsState, ChangesAndFamiliarNames) {
  ImageRefs before{{"x:1", kA}, {"y:1", kB}};
  ImageRefs after{{"x:1", kC}, {"y:1", kB}, {"z:1", kA}};
  auto c = image_ref_changes(before, after);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], (ImageRefChange{"x:1", kC, kA, ""}));
  EXPECT_EQ(c[1], (ImageRefChange{"z:1", kA, "", ""}));
  EXPECT_EQ(image_ref_changes(after, before).size(), 1u);  // x moved back; y unchanged; z removed: not a change
  EXPECT_EQ(docker_familiar_ref("docker.io/library/busybox"), "busybox:latest");
  EXPECT_EQ(docker_familiar_ref("busybox", "1.36"), "busybox:1.36");
  EXPECT_EQ(docker_familiar_ref("docker.io/me/app:2"), "me/app:2");
  EXPECT_EQ(docker_familiar_ref("localhost:5000/app"), "localhost:5000/app:latest");
  EXPECT_EQ(docker_familiar_ref("app", "sha256:" + std::string(64, 'e')), "app@sha256:" + std::string(64, 'e'));
  EXPECT_EQ(docker_familiar_ref("a b"), "");
  EXPECT_EQ(docker_familiar_ref(std::string(600, 'a')), "");
}

// podman's containers/storage image store: <graph root>/<driver>-images/images.json.
struct TempPodmanRoot {
  std::string dir;
  TempPodmanRoot() {
    char t[] = "/tmp/sw-pm-images-XXXXXX";
    dir = mkdtemp(t);
    fs::create_directories(dir + "/vfs-images");
  }
  ~TempPodmanRoot() { fs::remove_all(dir); }
  std::string file() const { return dir + "/vfs-images/images.json"; }
  void write(const std::string& text) const {
    std::ofstream(file() + ".tmp") << text;
    fs::rename(file() + ".tmp", file());
  }
  // id (64 hex, no "sha256:") -> names, as podman writes them.
  void images(const std::vector<std::pair<std::string, std::vector<std::string>>>& v) const {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& [id, names] : v) j.push_back({{"id", id}, {"names", names}, {"layer", "x"}});
    write(j.dump());
  }
};

TEST(ImageEffectsState, PodmanImagesJsonInFamiliarFormAndHostileFiles) {
  TempPodmanRoot t;
  const uint32_t me = geteuid();
  t.images({{std::string(64, 'a'), {"localhost/busybox:1", "docker.io/library/alpine:3"}},
            {std::string(64, 'b'), {"quay.io/x/y:2", "bad name"}},
            {"not-an-id", {"z:1"}}});
  auto r = read_podman_image_refs(t.dir, me);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (ImageRefs{{"localhost/busybox:1", kA}, {"alpine:3", kA}, {"quay.io/x/y:2", kB}}));
  EXPECT_FALSE(read_podman_image_refs(t.dir, me + 1));  // owned by someone else
  fs::rename(t.file(), t.dir + "/real.json");
  fs::create_symlink(t.dir + "/real.json", t.file());  // a symlinked images.json
  EXPECT_FALSE(read_podman_image_refs(t.dir, me));
  fs::remove(t.file());
  t.write(std::string(5000, '[') + std::string(5000, ']'));  // too deep
  EXPECT_FALSE(read_podman_image_refs(t.dir, me));
  EXPECT_FALSE(parse_podman_images(R"({"id":"x"})"));  // not an array
  EXPECT_EQ(parse_podman_images(R"([1,{"id":7},{"id":")" + std::string(64, 'c') + R"(","names":"x:1"}])")->size(),
            0u);
  EXPECT_FALSE(read_podman_image_refs(t.dir + "/missing", me));
  EXPECT_EQ(podman_local_name("local/sw-evil"), "localhost/local/sw-evil");
  EXPECT_EQ(podman_local_name("x"), "localhost/x");
  EXPECT_EQ(podman_local_name("localhost/x"), "localhost/x");
  EXPECT_EQ(podman_local_name("quay.io/x"), "quay.io/x");
  EXPECT_EQ(podman_local_name("localhost:5000/app"), "localhost:5000/app");  // a registry, kept
}

// The same stage judges a podman tag (compat route on podman's socket, or a libpod route) by
// podman's store, never by dockerd's.
TEST(ImageEffectsStage, PodmanTagIsJudgedByPodmansStore) {
  TempRoot docker;
  docker.refs({{"local/busybox:1", kA}});
  TempPodmanRoot pm;
  pm.images({{std::string(64, 'a'), {"localhost/busybox:1"}}, {std::string(64, 'c'), {"docker.io/local/sw-evil:1"}}});
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{docker.dir}; };
  s.podman_graph_roots = {pm.dir};
  s.state_owner = geteuid();
  RequestEffects fx(s);
  auto t0 = RequestEffects::Clock::now();
  Event tag = image_request("/v1.41/images/busybox:1/tag?repo=local/sw-evil&tag=1", 201);
  tag.socket_path = "/run/podman/podman.sock";
  EXPECT_TRUE(fx.admit(one(std::move(tag)), t0).empty());
  pm.images({{std::string(64, 'a'), {"localhost/busybox:1", "docker.io/local/sw-evil:1"}}});  // moved C -> A
  auto out = fx.expire(t0 + std::chrono::milliseconds(500));
  ASSERT_EQ(out.size(), 1u);
  const auto& r = *out[0].request;
  ASSERT_TRUE(r.effect);
  EXPECT_EQ(r.effect->status, "verified");
  EXPECT_EQ(r.effect->source, "podman-image-state");
  ASSERT_EQ(r.effect->images.size(), 1u);
  EXPECT_EQ(r.effect->images[0], (ImageRefChange{"local/sw-evil:1", kA, kC, ""}));
  EXPECT_TRUE(r.has_risk("image-tag-replaced"));
  EXPECT_TRUE(r.effect->mismatch.empty());  // it named local/sw-evil:1: docker.io/local/sw-evil:1 on the compat API

  // A libpod tag of a name without a registry makes a local image: localhost/mine:2.
  Event libpod_tag = image_request("/v4.0.0/libpod/images/busybox:1/tag?repo=mine&tag=2", 201);
  EXPECT_TRUE(fx.admit(one(std::move(libpod_tag)), t0).empty());
  pm.images({{std::string(64, 'a'), {"localhost/busybox:1", "docker.io/local/sw-evil:1", "localhost/mine:2"}}});
  auto tagged = fx.expire(t0 + std::chrono::milliseconds(600));
  ASSERT_EQ(tagged.size(), 1u);
  ASSERT_TRUE(tagged[0].request->effect);
  EXPECT_EQ(tagged[0].request->effect->images, (std::vector<ImageRefChange>{{"localhost/mine:2", kA, "", ""}}));
  EXPECT_TRUE(tagged[0].request->effect->mismatch.empty());

  // A libpod pull whose store never changes: unknown at the end of the window, not docker's fault.
  Event pull = image_request("/v4.0.0/libpod/images/pull?reference=quay.io/x/y:2", 200);
  EXPECT_TRUE(fx.admit(one(std::move(pull)), t0).empty());
  auto late = fx.expire(t0 + std::chrono::seconds(60));
  ASSERT_EQ(late.size(), 1u);
  ASSERT_TRUE(late[0].request->effect);
  EXPECT_EQ(late[0].request->effect->status, "unknown");
  EXPECT_EQ(late[0].request->effect->reason, "no-image-change");
}

TEST(ImageEffectsStage, TagReplacedByALoadIsFlaggedAfterTwoLooks) {
  TempRoot t;
  t.refs({{"local/busybox:1", kA}});
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{t.dir}; };
  s.state_owner = geteuid();
  RequestEffects fx(s);  // the baseline: busybox:1 is A
  auto t0 = RequestEffects::Clock::now();
  EXPECT_TRUE(fx.admit(one(image_request("/v1.41/images/load?quiet=1")), t0).empty());
  t.refs({{"local/busybox:1", kB}});  // the tarball held another image under that name
  EXPECT_TRUE(fx.expire(t0 + std::chrono::milliseconds(500)).empty());  // first look
  t.refs({{"local/busybox:1", kB}, {"local/other:1", kC}});              // a second image of the tarball
  EXPECT_TRUE(fx.expire(t0 + std::chrono::milliseconds(1000)).empty());  // changed since: not settled
  auto out = fx.expire(t0 + std::chrono::milliseconds(1500));
  ASSERT_EQ(out.size(), 1u);
  const auto& r = *out[0].request;
  ASSERT_TRUE(r.effect);
  EXPECT_EQ(r.effect->status, "verified");
  EXPECT_EQ(r.effect->source, "docker-image-state");
  ASSERT_EQ(r.effect->images.size(), 2u);
  EXPECT_EQ(r.effect->images[0], (ImageRefChange{"local/busybox:1", kB, kA, ""}));
  EXPECT_EQ(r.effect->images[1], (ImageRefChange{"local/other:1", kC, "", ""}));
  EXPECT_TRUE(r.has_risk("image-tag-replaced"));
  EXPECT_TRUE(r.effect->mismatch.empty());  // a load names nothing to disagree with
  EXPECT_EQ(out[0].severity, "medium");
}

TEST(ImageEffectsStage, PullTagAndBuildAreJudgedByWhatTheyNamed) {
  TempRoot t;
  t.refs({{"app:1", kA}});
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{t.dir}; };
  s.state_owner = geteuid();
  RequestEffects fx(s);
  // Past the store's 100 ms re-read interval of the baseline read at construction.
  auto t0 = RequestEffects::Clock::now() + std::chrono::seconds(1);

  // A tag whose reply was seen: settled at once.
  t.refs({{"app:1", kA}, {"prod/app:stable", kA}});
  auto tagged = fx.admit(one(image_request("/v1.41/images/app:1/tag?repo=prod%2Fapp&tag=stable", 201)), t0);
  ASSERT_EQ(tagged.size(), 1u);
  const auto& tr = *tagged[0].request;
  EXPECT_EQ(tr.effect->status, "verified");
  ASSERT_EQ(tr.effect->images.size(), 1u);
  EXPECT_EQ(tr.effect->images[0].ref, "prod/app:stable");
  EXPECT_TRUE(tr.effect->mismatch.empty());
  EXPECT_EQ(tr.summary.value("image", ""), "app:1");

  // A pull of x:2 after which the store moved prod/app:stable: the daemon did what was not named.
  auto t1 = t0 + std::chrono::seconds(1);
  EXPECT_TRUE(fx.admit(one(image_request("/v1.41/images/create?fromImage=docker.io%2Flibrary%2Fx&tag=2")), t1).empty());
  t.refs({{"app:1", kA}, {"prod/app:stable", kC}, {"x:2", kB}, {"x@sha256:" + std::string(64, 'f'), kB}});
  EXPECT_TRUE(fx.expire(t1 + std::chrono::milliseconds(500)).empty());
  auto pulled = fx.expire(t1 + std::chrono::milliseconds(1000));
  ASSERT_EQ(pulled.size(), 1u);
  const auto& pr = *pulled[0].request;
  ASSERT_EQ(pr.effect->images.size(), 3u);
  EXPECT_EQ(pr.effect->mismatch, std::vector<std::string>{"image:prod/app:stable"});
  EXPECT_TRUE(pr.has_risk("effect-mismatch"));
  EXPECT_EQ(pulled[0].severity, "high");

  // A build tagged -t a -t b: both named; a build's changes credited before are not its own.
  auto t2 = t1 + std::chrono::seconds(2);
  EXPECT_TRUE(fx.admit(one(image_request("/v1.41/build?t=a%3A1&t=b")), t2).empty());
  t.refs({{"app:1", kA}, {"prod/app:stable", kC}, {"x:2", kB}, {"x@sha256:" + std::string(64, 'f'), kB},
          {"a:1", kC}, {"b:latest", kC}});
  EXPECT_TRUE(fx.expire(t2 + std::chrono::milliseconds(500)).empty());
  auto built = fx.expire(t2 + std::chrono::milliseconds(1000));
  ASSERT_EQ(built.size(), 1u);
  const auto& br = *built[0].request;
  ASSERT_EQ(br.effect->images.size(), 2u);
  EXPECT_TRUE(br.effect->mismatch.empty());
  EXPECT_TRUE(br.has_risk("image-build"));

  // A pull every tag of a repository (no tag): any reference in it is named.
  auto t3 = t2 + std::chrono::seconds(2);
  EXPECT_TRUE(fx.admit(one(image_request("/v1.41/images/create?fromImage=y")), t3).empty());
  t.refs({{"app:1", kA}, {"prod/app:stable", kC}, {"x:2", kB}, {"x@sha256:" + std::string(64, 'f'), kB},
          {"a:1", kC}, {"b:latest", kC}, {"y:1", kA}, {"y:2", kB}});
  fx.expire(t3 + std::chrono::milliseconds(500));
  auto all = fx.expire(t3 + std::chrono::milliseconds(1000));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].request->effect->images.size(), 2u);
  EXPECT_TRUE(all[0].request->effect->mismatch.empty());
}

TEST(ImageEffectsStage, NoChangeIsUnknownAndAnUntaggedBuildIsVerified) {
  TempRoot t;
  t.refs({{"app:1", kA}});
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{t.dir}; };
  s.state_owner = geteuid();
  EffectLimits lim;
  lim.image_window = std::chrono::milliseconds(3000);
  RequestEffects fx(s, lim);
  auto t0 = RequestEffects::Clock::now();
  std::vector<Event> in;
  in.push_back(image_request("/v1.41/images/create?fromImage=app&tag=1"));  // already there: nothing moves
  in.push_back(image_request("/v1.41/build?dockerfile=Dockerfile"));       // untagged
  in.push_back(image_request("/v1.41/images/create?fromImage=nope&tag=1", 404));
  auto refused = fx.admit(std::move(in), t0);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].request->effect->reason, "refused");
  EXPECT_TRUE(fx.expire(t0 + std::chrono::milliseconds(2900)).empty());
  auto out = fx.expire(t0 + std::chrono::milliseconds(3000));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].request->effect->status, "unknown");
  EXPECT_EQ(out[0].request->effect->reason, "no-image-change");
  EXPECT_EQ(out[1].request->effect->status, "verified");
  EXPECT_TRUE(out[1].request->effect->images.empty());

  // No image store at all.
  RequestEffects::Sources none;
  none.docker_roots = [] { return std::vector<std::string>{"/nonexistent-sw"}; };
  RequestEffects fx2(none, lim);
  fx2.admit(one(image_request("/v1.41/images/load")), t0);
  auto gone = fx2.expire(t0 + std::chrono::milliseconds(3000));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].request->effect->reason, "no-runtime-state");
}

TEST(ImageEffectsStage, ALoadHeldBesideABuildLeavesItTheBuildsTag) {
  TempRoot t;
  t.refs({{"base:1", kA}});
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{t.dir}; };
  s.state_owner = geteuid();
  RequestEffects fx(s);
  auto t0 = RequestEffects::Clock::now() + std::chrono::seconds(1);
  std::vector<Event> in;
  in.push_back(image_request("/v1.41/build?t=app%3A1"));
  in.push_back(image_request("/v1.41/images/load"));
  EXPECT_TRUE(fx.admit(std::move(in), t0).empty());
  t.refs({{"base:1", kB}, {"app:1", kC}});  // both done before either is looked at
  EXPECT_TRUE(fx.expire(t0 + std::chrono::milliseconds(500)).empty());
  auto out = fx.expire(t0 + std::chrono::milliseconds(1000));
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[0].request->effect->images.size(), 1u);
  EXPECT_EQ(out[0].request->effect->images[0].ref, "app:1");  // the build's
  ASSERT_EQ(out[1].request->effect->images.size(), 1u);
  EXPECT_EQ(out[1].request->effect->images[0], (ImageRefChange{"base:1", kB, kA, ""}));  // the load's
  EXPECT_TRUE(out[1].request->has_risk("image-tag-replaced"));
}

// A held load whose look grows (thousands of references changed) stays inside the stage's byte
// bound: when it no longer fits it is released as unknown (queue-full), never kept growing.
TEST(ImageEffectsStage, AGrowingLookStaysInsideTheByteBound) {
  TempRoot t;
  t.refs({{"local/busybox:1", kA}});
  RequestEffects::Sources s;
  s.docker_roots = [&] { return std::vector<std::string>{t.dir}; };
  s.state_owner = geteuid();
  EffectLimits limits;
  limits.max_bytes = 64 * 1024;
  RequestEffects fx(s, limits);
  auto t0 = RequestEffects::Clock::now();
  EXPECT_TRUE(fx.admit(one(image_request("/v1.41/images/load?quiet=1")), t0).empty());
  const size_t admitted = fx.pending_bytes();
  EXPECT_GT(admitted, 0u);
  EXPECT_LT(admitted, limits.max_bytes);
  std::vector<std::pair<std::string, std::string>> many{{"local/busybox:1", kA}};
  for (int i = 0; i < 2000; i++) many.emplace_back("local/flood-" + std::to_string(i) + ":1", kB);
  t.refs(many);
  auto out = fx.expire(t0 + std::chrono::milliseconds(500));  // the first look sees 2000 changes
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].request->effect);
  EXPECT_EQ(out[0].request->effect->status, "unknown");
  EXPECT_EQ(out[0].request->effect->reason, "queue-full");
  EXPECT_EQ(fx.pending(), 0u);
  EXPECT_EQ(fx.pending_bytes(), 0u);
  EXPECT_EQ(fx.stats().queue_full, 1u);
}

TEST(ImageEffectsRoutes, TagOfANameWithSlashes) {
  Event e = image_request("/v1.41/images/local/app:1/tag?repo=local%2Fprod&tag=2", 201);
  EXPECT_EQ(e.request->operation, "image-tag");
  EXPECT_EQ(e.request->summary.value("image", ""), "local/app:1");
  EXPECT_EQ(image_refs_named(*e.request), std::vector<std::string>{"local/prod:2"});
  EXPECT_TRUE(e.request->has_risk("image-tag"));
}


// containerd's image service: its metadata database (BoltDB) as containerd 1.6 wrote it
// (tests/fixtures/bolt/containerd-meta.db: docker.io/library/bbx:1 in namespace swtest).
const std::string kBbx = "sha256:b2a858b01fd02607205d8b0ca75d13ff4ccb7f842b713475ca54305890f342bb";

struct TempContainerdRoot {
  std::string dir;
  TempContainerdRoot() {
    char t[] = "/tmp/sw-ctd-XXXXXX";
    dir = mkdtemp(t);
  }
  ~TempContainerdRoot() { fs::remove_all(dir); }
  void install_fixture() const {
    fs::create_directories(dir + "/io.containerd.metadata.v1.bolt");
    fs::copy_file(std::string(SW_SOURCE_DIR) + "/tests/fixtures/bolt/containerd-meta.db", containerd_metadata_db(dir),
                  fs::copy_options::overwrite_existing);
  }
};

Event containerd_image_create(const std::string& ns, const std::string& image) {
  Event e;
  e.action = "request";
  e.raw.client_sock_ino = 92;
  DecodedRequest r;
  r.protocol = "http/2";
  r.method = "POST";
  r.operation = "containerd-image-create";
  r.containerd_namespace = ns;
  r.summary["image"] = image;
  r.add_risk("image-pull", image);
  e.request = std::move(r);
  e.severity = "low";
  return e;
}

TEST(ImageEffectsState, ContainerdMetadataInFamiliarFormPerNamespace) {
  TempContainerdRoot root;
  EXPECT_FALSE(read_containerd_image_refs(root.dir, geteuid()));  // no database: nothing to read
  root.install_fixture();
  auto refs = read_containerd_image_refs(root.dir, geteuid());
  ASSERT_TRUE(refs);
  EXPECT_EQ(*refs, (ImageRefs{{containerd_image_key("swtest", "docker.io/library/bbx:1"), kBbx}}));
  EXPECT_EQ(split_containerd_image_key(refs->begin()->first), (std::pair<std::string, std::string>{"swtest", "bbx:1"}));
  EXPECT_FALSE(read_containerd_image_refs(root.dir, geteuid() + 1));  // another owner's database
  // Names as requests give them: a namespace containerd would refuse names nothing.
  EXPECT_EQ(containerd_image_key("../x", "busybox"), "");
  EXPECT_EQ(containerd_image_key("k8s.io", "busybox"), containerd_image_key("k8s.io", "docker.io/library/busybox:latest"));
  DecodedRequest cri;
  cri.operation = "cri-pull-image";
  cri.summary["image"] = "busybox";
  EXPECT_EQ(image_refs_named(cri, ImageStore::Containerd),
            std::vector<std::string>{containerd_image_key("k8s.io", "busybox:latest")});
}

TEST(ImageEffectsStage, ContainerdImageCreateIsJudgedByItsMetadataDatabase) {
  TempContainerdRoot root;
  RequestEffects::Sources s;
  s.containerd_roots = [&] { return std::vector<std::string>{root.dir}; };
  s.state_owner = geteuid();
  RequestEffects fx(s);  // baseline: no image yet
  auto t0 = RequestEffects::Clock::now();
  EXPECT_TRUE(fx.admit(one(containerd_image_create("swtest", "docker.io/library/bbx:1")), t0).empty());
  root.install_fixture();  // containerd created it
  EXPECT_TRUE(fx.expire(t0 + std::chrono::milliseconds(500)).empty());  // settled at the second look
  auto out = fx.expire(t0 + std::chrono::milliseconds(1000));
  ASSERT_EQ(out.size(), 1u);
  const auto& r = *out[0].request;
  ASSERT_TRUE(r.effect);
  EXPECT_EQ(r.effect->status, "verified");
  EXPECT_EQ(r.effect->source, "containerd-metadata");
  ImageRefChange want{"bbx:1", kBbx, "", "swtest"};
  EXPECT_EQ(r.effect->images, std::vector<ImageRefChange>{want});
  EXPECT_TRUE(r.effect->mismatch.empty());

  // The same change, claimed by a request that named another image (or another namespace):
  // what the database got is not what it asked for.
  TempContainerdRoot root2;
  s.containerd_roots = [&] { return std::vector<std::string>{root2.dir}; };
  RequestEffects fx2(s);
  EXPECT_TRUE(fx2.admit(one(containerd_image_create("default", "docker.io/library/bbx:1")), t0).empty());
  root2.install_fixture();
  fx2.expire(t0 + std::chrono::milliseconds(500));
  auto other = fx2.expire(t0 + std::chrono::milliseconds(1000));
  ASSERT_EQ(other.size(), 1u);
  ASSERT_TRUE(other[0].request->effect);
  EXPECT_EQ(other[0].request->effect->mismatch, std::vector<std::string>{"image:bbx:1"});
  EXPECT_TRUE(other[0].request->has_risk("effect-mismatch"));
}

}  // namespace
}  // namespace sockwarden
