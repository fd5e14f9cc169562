// The stored specs of containers that never ran, read from the runtimes' BoltDB databases
// (enrich/bolt_db) as the real containerd 1.6 and podman 4.3 wrote them (tests/fixtures/bolt),
// laid out as the daemons keep them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "enrich/containerd_effect_state.h"
#include "enrich/podman_effect_state.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(SW_SOURCE_DIR) + "/tests/fixtures/bolt/";
const std::string kPodmanId = "1d71a93d4c20df91b550e0ea4c7a03e81151a10ecbc1e2066f96c4c2461b9fbd";

struct TempDir {
  fs::path dir;
  TempDir() {
    char t[] = "/tmp/sw-specs.XXXXXX";
    dir = ::mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(dir); }
};

TEST(StoredSpecs, OfContainersThatNeverRan) {
  TempDir t;
  fs::create_directories(t.dir / "ctd/io.containerd.metadata.v1.bolt");
  fs::copy_file(kFixtures + "containerd-meta.db", t.dir / "ctd/io.containerd.metadata.v1.bolt/meta.db");
  const std::vector<std::string> roots{(t.dir / "ctd").string()};
  auto c = read_containerd_metadata_spec(roots, "swtest", "cx1", ::getuid());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->spec.rfind("{\"ociVersion\"", 0), 0u);  // the Any's value: the OCI spec's JSON
  EXPECT_NE(c->spec.find("\"destination\":\"/host\""), std::string::npos);
  EXPECT_FALSE(read_containerd_metadata_spec(roots, "swtest", "nope", ::getuid()));
  EXPECT_FALSE(read_containerd_metadata_spec(roots, "swtest", "../cx1", ::getuid()));  // no identifier
  EXPECT_FALSE(read_containerd_metadata_spec(roots, "swtest", "cx1", ::getuid() + 1));

  fs::create_directories(t.dir / "pm/libpod");
  fs::copy_file(kFixtures + "podman-bolt_state.db", t.dir / "pm/libpod/bolt_state.db");
  const std::vector<std::string> graph{(t.dir / "pm").string()};
  auto p = read_podman_db_spec(graph, kPodmanId, ::getuid());
  ASSERT_TRUE(p);
  // podman's "privileged": true becomes runc's privileged shape (every device allowed).
  auto spec = nlohmann::json::parse(p->spec);
  EXPECT_EQ(spec["linux"]["resources"]["devices"].back(), (nlohmann::json{{"allow", true}, {"access", "rwm"}}));
  EXPECT_FALSE(read_podman_db_spec(graph, std::string(64, 'f'), ::getuid()));
  EXPECT_FALSE(read_podman_db_spec(graph, "cre1", ::getuid()));  // names are no ids
}


}  // namespace
}  // namespace sockwarden
