// enrich/bolt_db: bbolt files the real daemons wrote (tests/fixtures/bolt), and
// hostile ones: a cycle, pages out of the file, torn metas, random damage, a
// symlink, another owner.
#include "enrich/bolt_db.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(SW_SOURCE_DIR) + "/tests/fixtures/bolt/";
const std::string kPodmanId = "1d71a93d4c20df91b550e0ea4c7a03e81151a10ecbc1e2066f96c4c2461b9fbd";

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

struct TempDir {
  fs::path dir;
  TempDir() {
    char t[] = "/tmp/sw-bolt.XXXXXX";
    dir = ::mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string put(const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  }
};

uint64_t fnv(const char* p, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) h = (h ^ static_cast<unsigned char>(p[i])) * 1099511628211ull;
  return h;
}

// A bbolt file of `pages` 4 KiB pages: two metas (txid 1 and 2) with root page 2.
struct Synth {
  static constexpr uint32_t kPs = 4096;
  std::string b;
  explicit Synth(uint64_t pages) : b(pages * kPs, '\0') {
    for (int i = 0; i < 2; i++) meta(i, 2, pages, 1 + i);
  }
  void meta(int which, uint64_t root, uint64_t high, uint64_t txid) {
    char* m = b.data() + which * kPs + 16;
    uint32_t magic = 0xED0CDAED, ver = 2, ps = kPs, flags = 0;
    std::memcpy(m, &magic, 4);
    std::memcpy(m + 4, &ver, 4);
    std::memcpy(m + 8, &ps, 4);
    std::memcpy(m + 12, &flags, 4);
    std::memcpy(m + 16, &root, 8);
    std::memcpy(m + 40, &high, 8);
    std::memcpy(m + 48, &txid, 8);
    uint64_t sum = fnv(m, 56);
    std::memcpy(m + 56, &sum, 8);
  }
  void header(uint64_t id, uint16_t flags, uint16_t count, uint32_t overflow = 0) {
    char* p = b.data() + id * kPs;
    std::memcpy(p, &id, 8);
    std::memcpy(p + 8, &flags, 2);
    std::memcpy(p + 10, &count, 2);
    std::memcpy(p + 12, &overflow, 4);
  }
  // A branch page whose every element points at `child`, keyed "a", "b", ...
  void branch(uint64_t id, uint64_t child, uint16_t count) {
    header(id, 0x01, count);
    char* p = b.data() + id * kPs;
    size_t data = 16 + size_t{count} * 16;
    for (uint16_t i = 0; i < count; i++) {
      char* e = p + 16 + i * 16;
      uint32_t pos = static_cast<uint32_t>(data - (16 + i * 16)), ks = 1;
      std::memcpy(e, &pos, 4);
      std::memcpy(e + 4, &ks, 4);
      std::memcpy(e + 8, &child, 8);
      p[data++] = static_cast<char>('a' + i % 26);
    }
  }
  // A leaf page of key/value pairs (sorted by the caller); bucket_flags per element.
  void leaf(uint64_t id, const std::vector<std::tuple<std::string, std::string, uint32_t>>& kv) {
    header(id, 0x02, static_cast<uint16_t>(kv.size()));
    char* p = b.data() + id * kPs;
    size_t data = 16 + kv.size() * 16;
    for (size_t i = 0; i < kv.size(); i++) {
      auto& [k, v, fl] = kv[i];
      char* e = p + 16 + i * 16;
      uint32_t pos = static_cast<uint32_t>(data - (16 + i * 16)), ks = static_cast<uint32_t>(k.size()),
               vs = static_cast<uint32_t>(v.size());
      std::memcpy(e, &fl, 4);
      std::memcpy(e + 4, &pos, 4);
      std::memcpy(e + 8, &ks, 4);
      std::memcpy(e + 12, &vs, 4);
      std::memcpy(p + data, k.data(), k.size());
      std::memcpy(p + data + k.size(), v.data(), v.size());
      data += k.size() + v.size();
    }
  }
};

// A bucket value pointing at page `root` (0: inline, the page follows).
std::string bucket_value(uint64_t root, const std::string& inline_page = {}) {
  std::string v(16, '\0');
  std::memcpy(v.data(), &root, 8);
  return v + inline_page;
}

TEST(BoltDb, ReadsPodmansStateAsPodmanWroteIt) {
  std::string why;
  auto db = BoltDb::open(kFixtures + "podman-bolt_state.db", ::getuid() == 0 ? 0 : ::getuid(), {}, &why);
  ASSERT_TRUE(db) << why;
  EXPECT_EQ(db->page_size(), 4096u);
  auto driver = db->get({"runtime-config"}, "graph-driver-name");
  ASSERT_TRUE(driver);
  EXPECT_EQ(*driver, "vfs");
  // The container's name registry and its configuration with the OCI spec podman made at create.
  std::vector<std::pair<std::string, std::string>> all;
  EXPECT_TRUE(db->each({"all-ctrs"}, [&](std::string_view k, std::string_view v, bool bucket) {
    EXPECT_FALSE(bucket);
    all.emplace_back(k, v);
    return true;
  }));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].first, kPodmanId);
  EXPECT_EQ(all[0].second, "cre1");
  auto config = db->get({"ctr", kPodmanId}, "config");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->rfind("{\"spec\":{", 0), 0u);
  EXPECT_NE(config->find("\"destination\":\"/host\""), std::string::npos);
  // A sub-bucket is no value; a missing bucket or key is nothing.
  EXPECT_FALSE(db->get({"ctr"}, kPodmanId));
  EXPECT_FALSE(db->get({"ctr", kPodmanId}, "nope"));
  EXPECT_FALSE(db->get({"nope"}, "config"));
  EXPECT_FALSE(db->each({"ctr", "nope"}, [](auto, auto, bool) { return true; }));
}

TEST(BoltDb, ReadsContainerdsMetadataAsContainerdWroteIt) {
  auto db = BoltDb::open(kFixtures + "containerd-meta.db", ::getuid());
  ASSERT_TRUE(db);
  std::vector<std::string> images;
  ASSERT_TRUE(db->read([&](BoltDb::View& v) {
    images.clear();
    v.each({"v1", "swtest", "images"}, [&](std::string_view k, std::string_view, bool bucket) {
      if (bucket) images.emplace_back(k);
      return true;
    });
    for (auto& name : images) {
      auto d = v.get({"v1", "swtest", "images", name, "target"}, "digest");
      name += d ? " -> " + *d : " -> ?";
    }
  }));
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0],
            "docker.io/library/bbx:1 -> sha256:b2a858b01fd02607205d8b0ca75d13ff4ccb7f842b713475ca54305890f342bb");
  // A container created and never started: its spec (a protobuf Any) is only here.
  auto spec = db->get({"v1", "swtest", "containers", "cx1"}, "spec");
  ASSERT_TRUE(spec);
  EXPECT_GT(spec->size(), 4096u);  // on overflow pages
  EXPECT_NE(spec->find("types.containerd.io/opencontainers/runtime-spec/1/Spec"), std::string::npos);
  EXPECT_EQ(spec->back(), '}');
  // Every namespace, in key order, stopping when told.
  int seen = 0;
  EXPECT_TRUE(db->each({"v1"}, [&](std::string_view k, std::string_view, bool bucket) {
    EXPECT_EQ(k, "swtest");
    EXPECT_TRUE(bucket);
    return ++seen < 1;
  }));
  EXPECT_EQ(seen, 1);
}

TEST(BoltDb, RefusesWhatIsNoDatabaseOfTheOwner) {
  TempDir t;
  std::string real = slurp(kFixtures + "podman-bolt_state.db");
  std::string why;
  EXPECT_FALSE(BoltDb::open((t.dir / "missing").string(), 0, {}, &why));
  EXPECT_FALSE(BoltDb::open(t.put("empty", ""), ::getuid(), {}, &why));
  EXPECT_FALSE(BoltDb::open(t.put("text", std::string(8192, 'x')), ::getuid(), {}, &why));
  EXPECT_EQ(why, "no valid bbolt meta page");
  // A symlink to a real database is refused (O_NOFOLLOW), as is another owner's file.
  std::string good = t.put("good", real);
  fs::create_symlink(good, t.dir / "link");
  EXPECT_FALSE(BoltDb::open((t.dir / "link").string(), ::getuid()));
  EXPECT_FALSE(BoltDb::open(good, ::getuid() + 1));
  BoltLimits small;
  small.max_file = 4096;
  EXPECT_FALSE(BoltDb::open(good, ::getuid(), small));
  EXPECT_TRUE(BoltDb::open(good, ::getuid()));
}

TEST(BoltDb, TakesTheNewerValidMetaAndSurvivesATornOne) {
  TempDir t;
  std::string real = slurp(kFixtures + "podman-bolt_state.db");
  // Meta page 0 torn (checksum wrong): page 1 still says where the database is.
  std::string torn = real;
  torn[16 + 20] ^= 0x5a;
  auto db = BoltDb::open(t.put("torn0", torn), ::getuid());
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->get({"ctr", kPodmanId}, "config"));
  // Both torn: nothing.
  torn[4096 + 16 + 20] ^= 0x5a;
  EXPECT_FALSE(BoltDb::open(t.put("torn01", torn), ::getuid()));
}

TEST(BoltDb, ACycleOrAFanOfPagesEndsInsteadOfLooping) {
  TempDir t;
  // Page 2: a branch page whose 200 children are page 2 itself.
  Synth s(4);
  s.branch(2, 2, 200);
  auto db = BoltDb::open(t.put("cycle", s.b), ::getuid());
  ASSERT_TRUE(db);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(db->each({}, [](auto, auto, bool) { return true; }));
  EXPECT_FALSE(db->get({"a"}, "k"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  // Page 2 a branch fanning out 200 times to page 3, a branch fanning 200 times to page 2:
  // 200^depth visits unless counted.
  Synth f(4);
  f.branch(2, 3, 200);
  f.branch(3, 2, 200);
  auto fan = BoltDb::open(t.put("fan", f.b), ::getuid());
  ASSERT_TRUE(fan);
  t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(fan->each({}, [](auto, auto, bool) { return true; }));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(BoltDb, PagesAndElementsOutOfBoundsAreRefused) {
  TempDir t;
  // A leaf with a bucket "b" (inline, holding k=v) and a bucket "x" at page 9 (past the end).
  Synth inl(4);
  Synth inner(2);
  inner.leaf(0, {{"k", "v", 0}});
  std::string inline_page = inner.b.substr(0, 16 + 16 + 2);
  inl.leaf(2, {{"b", bucket_value(0, inline_page), 1}, {"x", bucket_value(9), 1}});
  auto db = BoltDb::open(t.put("inline", inl.b), ::getuid());
  ASSERT_TRUE(db);
  auto v = db->get({"b"}, "k");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "v");
  EXPECT_FALSE(db->get({"x"}, "k"));
  // A page that does not carry its own id (reused, or planted) is refused.
  Synth wrong(4);
  wrong.leaf(2, {{"x", bucket_value(3), 1}});
  wrong.leaf(3, {{"k", "v", 0}});
  std::memset(wrong.b.data() + 3 * Synth::kPs, 7, 1);  // page 3 says it is page 7
  auto w = BoltDb::open(t.put("wrongid", wrong.b), ::getuid());
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->get({"x"}, "k"));
  // An element whose key runs past its page, and a page claiming overflow past the file.
  Synth over(4);
  over.leaf(2, {{"k", "v", 0}});
  uint32_t huge = 1u << 30;
  std::memcpy(over.b.data() + 2 * Synth::kPs + 16 + 8, &huge, 4);
  auto o = BoltDb::open(t.put("keysize", over.b), ::getuid());
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->get({}, "k"));
  Synth ovf(4);
  ovf.leaf(2, {{"k", "v", 0}});
  ovf.header(2, 0x02, 1, 1000);
  auto of = BoltDb::open(t.put("overflow", ovf.b), ::getuid());
  ASSERT_TRUE(of);
  EXPECT_FALSE(of->get({}, "k"));
}

TEST(BoltDb, RandomDamageToARealDatabaseNeverCrashesOrHangs) {
  TempDir t;
  const std::string real = slurp(kFixtures + "containerd-meta.db");
  ASSERT_GT(real.size(), 8192u);
  std::mt19937 rng(18);
  auto t0 = std::chrono::steady_clock::now();
  for (int round = 0; round < 400; round++) {
    std::string d = real;
    // Damage past the metas (a torn meta is the test above): a few bytes, or a run of them.
    int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; i++) {
      size_t at = 8192 + rng() % (d.size() - 8192);
      size_t len = 1 + rng() % (i == 0 ? 64 : 4);
      for (size_t j = 0; j < len && at + j < d.size(); j++) d[at + j] = static_cast<char>(rng());
    }
    auto db = BoltDb::open(t.put("damaged", d), ::getuid());
    ASSERT_TRUE(db);
    db->read([&](BoltDb::View& v) {
      v.each({"v1", "swtest", "images"}, [&](std::string_view k, std::string_view, bool) {
        v.get({"v1", "swtest", "images", std::string(k), "target"}, "digest");
        return true;
      });
      v.get({"v1", "swtest", "containers", "cx1"}, "spec");
      v.each({"v1", "swtest", "content", "blob"}, [](auto, auto, bool) { return true; });
    });
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));
}


}  // namespace
}  // namespace sockwarden
