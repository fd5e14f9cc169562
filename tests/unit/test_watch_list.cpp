#include "capture/watch_list.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "events.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

TEST(KernelDev, EncodesMajorShiftedBy20OrMinor) {
  EXPECT_EQ(kernel_dev(makedev(254, 0)), 0xfe00000u);
  EXPECT_EQ(kernel_dev(makedev(8, 17)), (8u << 20) | 17u);
  EXPECT_EQ(kernel_dev(makedev(8, 17)), 0x800011u);
  EXPECT_EQ(kernel_dev(makedev(0, 0)), 0u);
  // Minors above 255 live in a different part of dev_t; the kernel encoding keeps 20 bits.
  EXPECT_EQ(kernel_dev(makedev(259, 0x12345)), (259u << 20) | 0x12345u);
  // Not stat()'s own encoding (which is major << 8 | minor for small numbers).
  EXPECT_NE(kernel_dev(makedev(8, 17)), static_cast<uint32_t>(makedev(8, 17)));
}

// A listening unix socket bound at a path; closed (and unlinked) on destruction.
class BoundSocket {
 public:
  explicit BoundSocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return;
    std::memcpy(addr.sun_path, path.data(), path.size());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) ok_ = true;
  }
  ~BoundSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;
  bool ok() const { return ok_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

struct stat stat_of(const std::string& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st;
}

class WatchListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_wl_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string p(const std::string& rel) const { return (dir_ / rel).string(); }

  fs::path dir_;
};

const ResolvedWatch* find_path(const std::vector<ResolvedWatch>& ws, const std::string& path) {
  for (const auto& w : ws)
    if (w.path == path) return &w;
  return nullptr;
}

TEST_F(WatchListTest, ResolvesInodeAndKernelDevOfABoundSocket) {
  BoundSocket s(p("d.sock"));
  ASSERT_TRUE(s.ok());
  WatchList wl({p("d.sock")}, 4242);
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 1u);
  auto st = stat_of(p("d.sock"));
  EXPECT_EQ(ws[0].path, p("d.sock"));
  EXPECT_EQ(ws[0].key.kind, static_cast<uint32_t>(SW_WATCH_PATH));
  EXPECT_EQ(ws[0].key.ino, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(ws[0].key.dev, kernel_dev(st.st_dev));
  EXPECT_EQ(ws[0].key.netns, 0u);  // path sockets are not namespaced by netns
  EXPECT_NE(ws[0].watch_id, 0u);
  EXPECT_EQ(ws[0].basenames, std::vector<std::string>{"d.sock"});
  EXPECT_EQ(wl.path_of(ws[0].watch_id), p("d.sock"));
  EXPECT_EQ(wl.path_of(0), "");
  EXPECT_EQ(wl.path_of(ws[0].watch_id + 1), "");
}

TEST_F(WatchListTest, SymlinkResolvesToTargetInodeWithBothBasenames) {
  BoundSocket s(p("real.sock"));
  ASSERT_TRUE(s.ok());
  fs::create_symlink(p("real.sock"), p("alias.sock"));
  WatchList direct({p("real.sock")}, 1);
  WatchList viaLink({p("alias.sock")}, 1);
  auto d = direct.resolve();
  auto l = viaLink.resolve();
  ASSERT_EQ(d.size(), 1u);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].path, p("alias.sock"));
  EXPECT_EQ(l[0].key.ino, d[0].key.ino);
  EXPECT_EQ(l[0].key.dev, d[0].key.dev);
  EXPECT_EQ(l[0].key.kind, d[0].key.kind);
  // The connect hook sees the path string the client used: both names must be matched.
  std::set<std::string> names(l[0].basenames.begin(), l[0].basenames.end());
  EXPECT_EQ(names, (std::set<std::string>{"alias.sock", "real.sock"}));
  EXPECT_EQ(l[0].basenames.size(), 2u);
  EXPECT_EQ(l[0].basenames.front(), "alias.sock");
}

TEST_F(WatchListTest, MissingPathIsSkippedAndPickedUpLaterWithStableId) {
  BoundSocket other(p("other.sock"));
  ASSERT_TRUE(other.ok());
  WatchList wl({p("later.sock"), p("other.sock")}, 1);
  auto first = wl.resolve();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].path, p("other.sock"));
  uint32_t other_id = first[0].watch_id;

  BoundSocket later(p("later.sock"));
  ASSERT_TRUE(later.ok());
  auto second = wl.resolve();
  ASSERT_EQ(second.size(), 2u);
  auto* lw = find_path(second, p("later.sock"));
  auto* ow = find_path(second, p("other.sock"));
  ASSERT_NE(lw, nullptr);
  ASSERT_NE(ow, nullptr);
  EXPECT_EQ(ow->watch_id, other_id);  // unchanged across resolve() calls
  EXPECT_NE(lw->watch_id, other_id);
  EXPECT_NE(lw->watch_id, 0u);
  EXPECT_EQ(lw->key.ino, static_cast<uint64_t>(stat_of(p("later.sock")).st_ino));
  EXPECT_EQ(wl.path_of(lw->watch_id), p("later.sock"));
  EXPECT_EQ(wl.path_of(other_id), p("other.sock"));

  // A third resolve() returns exactly the same watches.
  auto third = wl.resolve();
  ASSERT_EQ(third.size(), 2u);
  EXPECT_EQ(*find_path(third, p("later.sock")), *lw);
  EXPECT_EQ(*find_path(third, p("other.sock")), *ow);
}

TEST_F(WatchListTest, RegularFileOrDirectoryAtThePathIsNotWatched) {
  std::ofstream(p("file.sock")) << "not a socket";
  fs::create_directory(p("dir.sock"));
  WatchList wl({p("file.sock"), p("dir.sock")}, 1);
  EXPECT_TRUE(wl.resolve().empty());
}

TEST_F(WatchListTest, GlobExpandsToDistinctWatches) {
  fs::create_directories(p("1000"));
  fs::create_directories(p("1001"));
  fs::create_directories(p("1002"));  // no socket here
  std::ofstream(p("1002/x.sock")) << "file";
  BoundSocket a(p("1000/x.sock"));
  BoundSocket b(p("1001/x.sock"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  WatchList wl({p("*/x.sock")}, 1);
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 2u);
  auto* wa = find_path(ws, p("1000/x.sock"));
  auto* wb = find_path(ws, p("1001/x.sock"));
  ASSERT_NE(wa, nullptr);
  ASSERT_NE(wb, nullptr);
  EXPECT_NE(wa->watch_id, wb->watch_id);
  EXPECT_NE(wa->key.ino, wb->key.ino);
  EXPECT_EQ(wa->key.ino, static_cast<uint64_t>(stat_of(p("1000/x.sock")).st_ino));
  EXPECT_EQ(wb->key.ino, static_cast<uint64_t>(stat_of(p("1001/x.sock")).st_ino));
  EXPECT_EQ(wl.path_of(wa->watch_id), p("1000/x.sock"));
  EXPECT_EQ(wl.path_of(wb->watch_id), p("1001/x.sock"));

  // A new match appears later: it gets a new id, existing ones are kept.
  fs::create_directories(p("1003"));
  BoundSocket c(p("1003/x.sock"));
  ASSERT_TRUE(c.ok());
  auto again = wl.resolve();
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(find_path(again, p("1000/x.sock"))->watch_id, wa->watch_id);
  EXPECT_EQ(find_path(again, p("1001/x.sock"))->watch_id, wb->watch_id);
  auto* wc = find_path(again, p("1003/x.sock"));
  ASSERT_NE(wc, nullptr);
  EXPECT_NE(wc->watch_id, wa->watch_id);
  EXPECT_NE(wc->watch_id, wb->watch_id);
}

TEST_F(WatchListTest, GlobWithNoMatchYieldsNothing) {
  WatchList wl({p("*/none.sock")}, 1);
  EXPECT_TRUE(wl.resolve().empty());
}

// --host-root: the agent in a container sees the host's filesystem under a directory
// (/proc/1/root with --pid host). Paths are looked up there but stay host paths.
TEST_F(WatchListTest, HostRootLooksPathsUpUnderItAndReportsHostPaths) {
  fs::create_directories(p("root/run"));
  BoundSocket s(p("root/run/d.sock"));
  ASSERT_TRUE(s.ok());
  WatchList wl({"/run/d.sock"}, 1, p("root"));
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 1u);
  auto st = stat_of(p("root/run/d.sock"));
  EXPECT_EQ(ws[0].path, "/run/d.sock");
  EXPECT_EQ(ws[0].key.ino, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(ws[0].key.dev, kernel_dev(st.st_dev));
  EXPECT_EQ(ws[0].basenames, std::vector<std::string>{"d.sock"});
  EXPECT_EQ(wl.path_of(ws[0].watch_id), "/run/d.sock");
}

TEST_F(WatchListTest, HostRootFollowsAbsoluteSymlinksInsideTheRoot) {
  // /var/run/docker.sock -> /run/real.sock: the target is a host path, resolved under the
  // root (realpath() would resolve it against the agent's own filesystem).
  fs::create_directories(p("root/run"));
  fs::create_directories(p("root/var/run"));
  BoundSocket s(p("root/run/real.sock"));
  ASSERT_TRUE(s.ok());
  fs::create_symlink("/run/real.sock", p("root/var/run/alias.sock"));
  fs::create_symlink("../../run/real.sock", p("root/var/run/rel.sock"));
  WatchList wl({"/var/run/alias.sock", "/var/run/rel.sock"}, 1, p("root") + "/");
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 2u);
  auto st = stat_of(p("root/run/real.sock"));
  const auto* abs = find_path(ws, "/var/run/alias.sock");
  const auto* rel = find_path(ws, "/var/run/rel.sock");
  ASSERT_NE(abs, nullptr);
  ASSERT_NE(rel, nullptr);
  EXPECT_EQ(abs->key.ino, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(abs->basenames, (std::vector<std::string>{"alias.sock", "real.sock"}));
  EXPECT_EQ(rel->basenames, (std::vector<std::string>{"rel.sock", "real.sock"}));
}

TEST_F(WatchListTest, HostRootResolvesAbsoluteDirectorySymlinksInsideTheRoot) {
  // Debian's /var/run -> /run: through a plain "<root>/var/run/x.sock" the kernel would
  // follow "/run" in the agent's own root. The socket exists only in the host root here.
  fs::create_directories(p("root/run"));
  fs::create_directories(p("root/var"));
  fs::create_directory_symlink("/run", p("root/var/run"));
  const std::string name = "sw-hostroot-" + std::to_string(::getpid()) + ".sock";
  BoundSocket s(p("root/run/" + name));
  ASSERT_TRUE(s.ok());
  ASSERT_FALSE(fs::exists("/run/" + name));
  WatchList wl({"/var/run/" + name}, 1, p("root"));
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(ws[0].path, "/var/run/" + name);
  EXPECT_EQ(ws[0].key.ino, static_cast<uint64_t>(stat_of(p("root/run/" + name)).st_ino));
  EXPECT_EQ(ws[0].basenames, std::vector<std::string>{name});
}

TEST_F(WatchListTest, HostRootExpandsGlobsUnderTheRoot) {
  fs::create_directories(p("root/run/user/1000"));
  BoundSocket s(p("root/run/user/1000/docker.sock"));
  ASSERT_TRUE(s.ok());
  WatchList wl({"/run/user/*/docker.sock"}, 1, p("root"));
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(ws[0].path, "/run/user/1000/docker.sock");
  EXPECT_EQ(ws[0].key.ino, static_cast<uint64_t>(stat_of(p("root/run/user/1000/docker.sock")).st_ino));
}

// doctor and audit ask the same lookups for paths that are not (or not yet) sockets.
TEST_F(WatchListTest, HostRootStatRealpathAndExpandForDoctorAndAudit) {
  fs::create_directories(p("root/run/containerd"));
  fs::create_directories(p("root/var"));
  fs::create_directory_symlink("/run", p("root/var/run"));  // absolute: resolved inside the root
  const std::string name = "sw-hostroot-stat-" + std::to_string(::getpid()) + ".sock";
  BoundSocket s(p("root/run/" + name));
  ASSERT_TRUE(s.ok());
  ASSERT_FALSE(fs::exists("/run/" + name));
  std::ofstream(p("root/run/containerd/containerd.sock")) << "not a socket";
  WatchList wl({}, 1, p("root"));
  struct stat st {};
  ASSERT_TRUE(wl.stat_host_path("/var/run/" + name, &st));
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_ino, stat_of(p("root/run/" + name)).st_ino);
  ASSERT_TRUE(wl.stat_host_path("/run/containerd/containerd.sock", &st));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_FALSE(wl.stat_host_path("/run/crio/crio.sock", &st));
  // The host path it finally names, root stripped: what mount-reach matching needs.
  EXPECT_EQ(wl.real_host_path("/var/run/" + name), "/run/" + name);
  EXPECT_EQ(wl.real_host_path("/run/crio/crio.sock"), "");
  // A plain path is named whether or not it exists; a glob only by its matches.
  EXPECT_EQ(wl.expand("/run/crio/crio.sock"), std::vector<std::string>{"/run/crio/crio.sock"});
  EXPECT_EQ(wl.expand("/run/*/containerd.sock"), std::vector<std::string>{"/run/containerd/containerd.sock"});
  EXPECT_TRUE(wl.expand("/run/*/none.sock").empty());
  EXPECT_TRUE(wl.expand("@abstract").empty());
}

TEST_F(WatchListTest, NormalizeHostRoot) {
  std::string err;
  EXPECT_EQ(normalize_host_root("", &err), "");
  EXPECT_EQ(err, "");
  EXPECT_EQ(normalize_host_root("/", &err), "");
  EXPECT_EQ(err, "");
  EXPECT_EQ(normalize_host_root(dir_.string() + "//", &err), dir_.string());
  EXPECT_EQ(err, "");
  normalize_host_root("proc/1/root", &err);
  EXPECT_NE(err.find("absolute"), std::string::npos) << err;
  normalize_host_root(p("missing"), &err);
  EXPECT_NE(err.find("No such file"), std::string::npos) << err;
  std::ofstream(p("file")) << "x";
  normalize_host_root(p("file"), &err);
  EXPECT_NE(err.find("not a directory"), std::string::npos) << err;
}

TEST(WatchListHostRoot, HostRootPid) {
  EXPECT_EQ(host_root_pid("/proc/1/root"), 1);
  EXPECT_EQ(host_root_pid("/proc/4242/root"), 4242);
  EXPECT_EQ(host_root_pid("/host/proc/77/root/"), 77);
  EXPECT_EQ(host_root_pid("/proc/self/root"), 1);
  EXPECT_EQ(host_root_pid("/host"), 1);
  EXPECT_EQ(host_root_pid(""), 1);
  EXPECT_EQ(host_root_pid("/proc/0/root"), 1);
}

TEST(WatchListAbstract, AbstractSpecUsesNetnsAndNameWithoutAt) {
  WatchList wl({"@my-daemon"}, 0xabcdef12345ull);
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 1u);
  const auto& w = ws[0];
  EXPECT_EQ(w.path, "@my-daemon");
  EXPECT_EQ(w.key.kind, static_cast<uint32_t>(SW_WATCH_ABSTRACT));
  EXPECT_EQ(w.key.netns, 0xabcdef12345ull);
  EXPECT_EQ(w.key.ino, 0u);
  EXPECT_EQ(w.key.dev, 0u);
  const std::string name = "my-daemon";
  EXPECT_EQ(std::memcmp(w.key.name, name.data(), name.size()), 0);
  // Zero padded after the name (the BPF map key is compared byte by byte).
  for (size_t i = name.size(); i < sizeof w.key.name; i++) EXPECT_EQ(w.key.name[i], 0) << "byte " << i;
  EXPECT_TRUE(w.basenames.empty());
  EXPECT_NE(w.watch_id, 0u);
  EXPECT_EQ(wl.path_of(w.watch_id), "@my-daemon");
  // Stable across resolves.
  EXPECT_EQ(wl.resolve()[0], w);
}

TEST(WatchListAbstract, MaximumLengthAbstractNameIsCopiedWhole) {
  std::string name(SW_UNIX_PATH_MAX - 1, 'n');
  ASSERT_EQ(WatchList::validate_spec("@" + name), "");
  WatchList wl({"@" + name}, 7);
  auto ws = wl.resolve();
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(std::memcmp(ws[0].key.name, name.data(), name.size()), 0);
  EXPECT_EQ(ws[0].key.name[SW_UNIX_PATH_MAX - 1], 0);
}

TEST(WatchListValidate, Errors) {
  EXPECT_NE(WatchList::validate_spec(""), "");
  EXPECT_NE(WatchList::validate_spec("@"), "");
  std::string too_long = "/" + std::string(SW_UNIX_PATH_MAX - 1, 'a');  // exactly 108 bytes
  ASSERT_EQ(too_long.size(), 108u);
  EXPECT_NE(WatchList::validate_spec(too_long), "");
  EXPECT_NE(WatchList::validate_spec(too_long + "bbbb"), "");
  EXPECT_NE(WatchList::validate_spec("@" + std::string(SW_UNIX_PATH_MAX, 'x')), "");
}

TEST(WatchListValidate, Accepts) {
  EXPECT_EQ(WatchList::validate_spec("/var/run/docker.sock"), "");
  EXPECT_EQ(WatchList::validate_spec("/run/user/*/docker.sock"), "");
  EXPECT_EQ(WatchList::validate_spec("@abstract"), "");
  EXPECT_EQ(WatchList::validate_spec("relative.sock"), "");
  std::string max_len = "/" + std::string(SW_UNIX_PATH_MAX - 2, 'a');  // 107 bytes + NUL fits
  EXPECT_EQ(WatchList::validate_spec(max_len), "");
}

TEST_F(WatchListTest, RecreatedSocketGetsNewInodeAndSameWatchId) {
  auto s1 = std::make_unique<BoundSocket>(p("d.sock"));
  ASSERT_TRUE(s1->ok());
  WatchList wl({p("d.sock")}, 1);
  auto before = wl.resolve();
  ASSERT_EQ(before.size(), 1u);

  // A daemon restart: the old path is unlinked while the old listener is
  // still open (so its inode cannot be reused for the new one).
  ASSERT_EQ(::unlink(p("d.sock").c_str()), 0);
  EXPECT_TRUE(wl.resolve().empty());

  BoundSocket s2(p("d.sock"));
  ASSERT_TRUE(s2.ok());
  auto after = wl.resolve();
  s1.reset();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].watch_id, before[0].watch_id);
  EXPECT_EQ(after[0].key.ino, static_cast<uint64_t>(stat_of(p("d.sock")).st_ino));
  EXPECT_NE(after[0].key.ino, before[0].key.ino);
  EXPECT_EQ(after[0].path, p("d.sock"));
  EXPECT_EQ(wl.path_of(after[0].watch_id), p("d.sock"));
}

TEST(WatchListDefaults, ContainsRuntimeSocketsAndRootlessGlobs) {
  auto d = default_socket_specs();
  auto has = [&](const std::string& s) { return std::find(d.begin(), d.end(), s) != d.end(); };
  EXPECT_TRUE(has("/var/run/docker.sock"));
  EXPECT_TRUE(has("/run/containerd/containerd.sock"));
  EXPECT_TRUE(has("/run/user/*/docker.sock"));
  EXPECT_TRUE(has("/run/user/*/podman/podman.sock"));
  for (const auto& s : d) EXPECT_EQ(WatchList::validate_spec(s), "") << s;
}

TEST(WatchListNetns, SelfNetnsMatchesProc) {
  struct stat st {};
  ASSERT_EQ(::stat("/proc/self/ns/net", &st), 0);
  EXPECT_EQ(self_netns_ino(), static_cast<uint64_t>(st.st_ino));
}

}  // namespace
}  // namespace sockwarden
