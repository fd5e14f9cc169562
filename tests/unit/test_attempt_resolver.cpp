#include "enrich/attempt_resolver.h"

#include <gtest/gtest.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "capture/watch_list.h"
#include "events.h"

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

// A unix socket bound at a path (closed on destruction; the temp dir removal unlinks it).
class BoundSocket {
 public:
  explicit BoundSocket(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof addr.sun_path) return;
    std::memcpy(addr.sun_path, path.data(), path.size());
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~BoundSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;
  bool ok() const { return ok_; }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

std::pair<uint32_t, uint64_t> key_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return {kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

RawEvent attempt(uint32_t tgid, const std::string& path) {
  RawEvent e;
  e.kind = EventKind::ConnectAttempt;
  e.tier = SW_TIER_SOCKET_TP;
  e.tgid = tgid;
  e.pid = tgid;
  e.payload = path;
  return e;
}

// <tmp>/proc/<pid>/{root,cwd} are symlinks, like procfs' magic links:
//   root -> <tmp>/container       (holds host/d.sock, a real bound socket)
//   cwd  -> <tmp>/container/host  (so "d.sock" is the same socket)
class FakeProcTree : public ::testing::Test {
 protected:
  static constexpr uint32_t kPid = 4321;

  void SetUp() override {
    char tmpl[] = "/tmp/sw_ar_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    proc_ = tmp_ / "proc";
    croot_ = tmp_ / "container";
    fs::create_directories(croot_ / "host");
    fs::create_directories(proc_ / std::to_string(kPid));
    fs::create_symlink(croot_, proc_ / std::to_string(kPid) / "root");
    fs::create_symlink(croot_ / "host", proc_ / std::to_string(kPid) / "cwd");
    sock_ = std::make_unique<BoundSocket>((croot_ / "host" / "d.sock").string());
    ASSERT_TRUE(sock_->ok());
  }
  void TearDown() override {
    sock_.reset();
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }

  fs::path tmp_, proc_, croot_;
  std::unique_ptr<BoundSocket> sock_;
};

TEST_F(FakeProcTree, AbsolutePathResolvesThroughCallersRoot) {
  auto k = key_of(croot_ / "host" / "d.sock");
  AttemptResolver r(proc_.string());
  r.set_watched({{k, 5}});
  auto a = attempt(kPid, "/host/d.sock");
  auto id = r.resolve(a);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 5u);
  EXPECT_EQ(a.sock_ino, k.second);
  EXPECT_EQ(a.sock_dev, k.first);
}

TEST_F(FakeProcTree, RelativePathResolvesThroughCallersCwd) {
  auto k = key_of(croot_ / "host" / "d.sock");
  AttemptResolver r(proc_.string());
  r.set_watched({{k, 6}});
  auto a = attempt(kPid, "d.sock");
  auto id = r.resolve(a);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 6u);
  EXPECT_EQ(a.sock_ino, k.second);
  EXPECT_EQ(a.sock_dev, k.first);

  auto b = attempt(kPid, "../host/./d.sock");
  EXPECT_EQ(r.resolve(b), std::optional<uint32_t>(6u));
}

TEST_F(FakeProcTree, UnwatchedSocketIsNotMatched) {
  BoundSocket other((croot_ / "host" / "other.sock").string());
  ASSERT_TRUE(other.ok());
  AttemptResolver r(proc_.string());
  r.set_watched({{key_of(croot_ / "host" / "d.sock"), 5}});
  auto a = attempt(kPid, "/host/other.sock");
  EXPECT_EQ(r.resolve(a), std::nullopt);
  EXPECT_EQ(a.sock_ino, 0u);
  EXPECT_EQ(a.sock_dev, 0u);
  auto b = attempt(kPid, "other.sock");
  EXPECT_EQ(r.resolve(b), std::nullopt);
  // Nothing watched at all.
  AttemptResolver empty(proc_.string());
  auto c = attempt(kPid, "/host/d.sock");
  EXPECT_EQ(empty.resolve(c), std::nullopt);
}

TEST_F(FakeProcTree, SameInodeOnAnotherDeviceIsNotMatched) {
  auto k = key_of(croot_ / "host" / "d.sock");
  AttemptResolver r(proc_.string());
  r.set_watched({{{k.first + 1, k.second}, 5}});
  auto a = attempt(kPid, "/host/d.sock");
  EXPECT_EQ(r.resolve(a), std::nullopt);
}

TEST_F(FakeProcTree, EmptyOrMissingPathIsNotMatched) {
  AttemptResolver r(proc_.string());
  r.set_watched({{key_of(croot_ / "host" / "d.sock"), 5}});
  auto a = attempt(kPid, "");
  EXPECT_EQ(r.resolve(a), std::nullopt);
  auto b = attempt(kPid, "/host/missing.sock");
  EXPECT_EQ(r.resolve(b), std::nullopt);
}

// The caller already exited: only a host-absolute path can still be checked.
TEST_F(FakeProcTree, ExitedCallerFallsBackToHostPathForAbsolutePathsOnly) {
  const fs::path host_sock = croot_ / "host" / "d.sock";  // an absolute host path
  auto k = key_of(host_sock);
  AttemptResolver r(proc_.string());
  r.set_watched({{k, 8}});
  const uint32_t gone = 9999;
  ASSERT_FALSE(fs::exists(proc_ / std::to_string(gone)));
  auto a = attempt(gone, host_sock.string());
  auto id = r.resolve(a);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 8u);
  EXPECT_EQ(a.sock_ino, k.second);

  // A relative path means nothing without the caller's cwd, even if it exists in ours.
  char saved[PATH_MAX];
  ASSERT_NE(::getcwd(saved, sizeof saved), nullptr);
  ASSERT_EQ(::chdir((croot_ / "host").c_str()), 0);
  auto b = attempt(gone, "d.sock");
  auto rb = r.resolve(b);
  ASSERT_EQ(::chdir(saved), 0);
  EXPECT_EQ(rb, std::nullopt);
}

// A live caller whose root does not hold the path: its connect failed with
// ENOENT in its own mount namespace and never targeted the host socket with
// the same name (e.g. `docker ps` in a container without the socket mounted).
TEST_F(FakeProcTree, LiveCallerIsNotMatchedThroughTheHostPath) {
  const fs::path host_sock = tmp_ / "hostonly.sock";
  BoundSocket s(host_sock.string());
  ASSERT_TRUE(s.ok());
  AttemptResolver r(proc_.string());
  r.set_watched({{key_of(host_sock), 8}});
  ASSERT_FALSE(fs::exists(croot_ / host_sock.relative_path()));
  auto a = attempt(kPid, host_sock.string());
  EXPECT_EQ(r.resolve(a), std::nullopt);
}

// Absolute symlinks inside the caller's root are resolved against that root,
// as the caller's own lookup does (e.g. Debian's /var/run -> /run).
TEST_F(FakeProcTree, AbsoluteSymlinkInsideCallersRootStaysInThatRoot) {
  fs::create_directories(croot_ / "run");
  fs::create_directories(croot_ / "var");
  fs::create_symlink("/run", croot_ / "var" / "run");
  // The path as the caller would see it if /run were the host's: must not be it.
  BoundSocket s((croot_ / "run" / "c.sock").string());
  ASSERT_TRUE(s.ok());
  AttemptResolver r(proc_.string());
  r.set_watched({{key_of(croot_ / "run" / "c.sock"), 11}});
  auto a = attempt(kPid, "/var/run/c.sock");
  auto id = r.resolve(a);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 11u);
}

TEST(AttemptResolverAbstract, KeepsKernelWatchIdOrDrops) {
  AttemptResolver r("/nonexistent-proc");
  r.set_watched({{{1, 2}, 3}});
  auto a = attempt(1, std::string("\0my-daemon", 10));
  a.flags = SW_F_ABSTRACT;
  a.watch_id = 12;
  EXPECT_EQ(r.resolve(a), std::optional<uint32_t>(12u));
  EXPECT_EQ(a.sock_ino, 0u);
  EXPECT_EQ(a.sock_dev, 0u);

  auto b = attempt(1, std::string("\0my-daemon", 10));
  b.flags = SW_F_ABSTRACT;
  b.watch_id = 0;
  EXPECT_EQ(r.resolve(b), std::nullopt);
}

// Against the real /proc: the current process, a socket in a temp dir,
// reached by a path relative to our cwd and by its absolute path.
TEST(AttemptResolverRealProc, ResolvesOwnRelativeAndAbsolutePaths) {
  char tmpl[] = "/tmp/sw_ar_real_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  char saved[PATH_MAX];
  ASSERT_NE(::getcwd(saved, sizeof saved), nullptr);
  std::optional<uint32_t> rel, abs, unrelated;
  RawEvent ra, aa, ua;
  std::pair<uint32_t, uint64_t> k;
  {
    BoundSocket s((dir / "real.sock").string());
    BoundSocket o((dir / "unwatched.sock").string());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(o.ok());
    k = key_of(dir / "real.sock");
    AttemptResolver r;  // default: /proc
    r.set_watched({{k, 21}});
    const auto me = static_cast<uint32_t>(::getpid());
    if (::chdir(dir.c_str()) == 0) {
      ra = attempt(me, "real.sock");
      rel = r.resolve(ra);
      ua = attempt(me, "unwatched.sock");
      unrelated = r.resolve(ua);
      EXPECT_EQ(::chdir(saved), 0);
    } else {
      ADD_FAILURE() << "chdir " << dir;
    }
    aa = attempt(me, (dir / "real.sock").string());
    abs = r.resolve(aa);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);

  ASSERT_TRUE(rel.has_value());
  EXPECT_EQ(*rel, 21u);
  EXPECT_EQ(ra.sock_ino, k.second);
  EXPECT_EQ(ra.sock_dev, k.first);
  ASSERT_TRUE(abs.has_value());
  EXPECT_EQ(*abs, 21u);
  EXPECT_EQ(unrelated, std::nullopt);
  EXPECT_EQ(fs::current_path(), fs::path(saved));
}

}  // namespace
}  // namespace sockwarden
