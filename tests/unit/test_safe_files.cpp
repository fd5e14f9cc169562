// Files the agent (root) writes in directories others may reach: the event
// log, its rotation, the Prometheus textfile. A planted symlink or FIFO must
// neither redirect a write nor block the writer (issue 20, "safe files").
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>

#include "capture/errors.h"
#include "sinks/atomic_file.h"
#include "sinks/dir_walk.h"
#include "sinks/file_output.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

class SafeFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_safe_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    victim_ = (dir_ / "victim").string();
    std::ofstream(victim_) << "precious\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string slurp(const std::string& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  OutputConfig file_cfg() {
    OutputConfig c;
    c.type = OutputConfig::Type::File;
    c.path = (dir_ / "events.json").string();
    c.name = "file";
    return c;
  }
  static OutputRecord record(const std::string& s) {
    OutputRecord r;
    r.json = LineText::copy_of(s);
    return r;
  }
  fs::path dir_;
  std::string victim_;
};

TEST_F(SafeFilesTest, TextfileIgnoresPlantedTempNamesAndReplacesASymlink) {
  std::string prom = (dir_ / "sw.prom").string();
  // The old code wrote PATH.tmp with O_CREAT|O_TRUNC: a symlink there made
  // root truncate and overwrite its target.
  fs::create_symlink(victim_, prom + ".tmp");
  ASSERT_EQ(write_file_atomically(prom, "m 1\n"), 0);
  EXPECT_EQ(slurp(victim_), "precious\n");
  EXPECT_EQ(slurp(prom), "m 1\n");
  // A symlink at the final name is replaced by the file, not followed.
  fs::remove(prom);
  fs::create_symlink(victim_, prom);
  ASSERT_EQ(write_file_atomically(prom, "m 2\n"), 0);
  EXPECT_EQ(slurp(victim_), "precious\n");
  EXPECT_FALSE(fs::is_symlink(prom));
  EXPECT_EQ(slurp(prom), "m 2\n");
  // No temp file left behind: only victim, sw.prom and the planted sw.prom.tmp link.
  size_t n = 0;
  for (auto& e : fs::directory_iterator(dir_)) n += e.path().filename().string()[0] == '.' ? 1 : 0;
  EXPECT_EQ(n, 0u);
  struct stat st {};
  ASSERT_EQ(::stat(prom.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_NE(write_file_atomically((dir_ / "missing-dir" / "x.prom").string(), "x"), 0);
}

TEST_F(SafeFilesTest, FileOutputRefusesASymlinkedPath) {
  auto c = file_cfg();
  fs::create_symlink(victim_, c.path);
  EXPECT_THROW(FileOutput out(c), UserError);
  EXPECT_EQ(slurp(victim_), "precious\n");
}

TEST_F(SafeFilesTest, FileOutputRefusesAFifoWithoutBlocking) {
  auto c = file_cfg();
  ASSERT_EQ(::mkfifo(c.path.c_str(), 0600), 0);
  auto opened = std::async(std::launch::async, [&] {
    try {
      FileOutput out(c);
      return true;
    } catch (const UserError&) {
      return false;
    }
  });
  ASSERT_EQ(opened.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_FALSE(opened.get());
}

// Rotation renames names in the log's directory: a symlink planted at PATH
// or PATH.1 is moved itself, never its target, and the next file is a fresh
// regular file at PATH, so events cannot be appended to the link's target.
TEST_F(SafeFilesTest, RotationCannotBeRedirected) {
  auto c = file_cfg();
  c.max_size_bytes = 10;
  c.max_files = 2;
  FileOutput out(c);
  ASSERT_TRUE(out.write(record("first-line")));
  fs::create_symlink(victim_, c.path + ".1");
  fs::rename(c.path, (dir_ / "moved").string());
  fs::create_symlink(victim_, c.path);  // swapped in before the rotation
  ASSERT_TRUE(out.write(record("second-line")));
  out.close();
  EXPECT_EQ(slurp(victim_), "precious\n");
  EXPECT_FALSE(fs::is_symlink(c.path));
  EXPECT_EQ(slurp(c.path), "second-line\n");
  EXPECT_TRUE(fs::is_symlink(c.path + ".1"));
  EXPECT_TRUE(fs::is_symlink(c.path + ".2"));
}

// A directory on the way to --output swapped for a symlink (logs -> a
// directory the attacker picks): refused with a message naming the link,
// nothing created or written through it.
TEST_F(SafeFilesTest, FileOutputRefusesASymlinkedDirectoryComponent) {
  fs::create_directories(dir_ / "target");
  std::ofstream((dir_ / "target" / "events.json").string()) << "precious\n";
  fs::create_directory_symlink(dir_ / "target", dir_ / "logs");
  for (std::string rel : {"logs/events.json", "logs/sub/events.json"}) {
    auto c = file_cfg();
    c.path = (dir_ / rel).string();
    try {
      FileOutput out(c);
      ADD_FAILURE() << "opened " << c.path << " through a symlinked directory";
    } catch (const UserError& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find((dir_ / "logs").string() + " is a symbolic link"), std::string::npos) << msg;
    }
  }
  EXPECT_EQ(slurp((dir_ / "target" / "events.json").string()), "precious\n");
  EXPECT_FALSE(fs::exists(dir_ / "target" / "sub"));
}

// Control: real directories are walked, and missing ones created (0750).
TEST_F(SafeFilesTest, FileOutputCreatesMissingRealDirectories) {
  auto c = file_cfg();
  c.path = (dir_ / "a" / "b" / "events.json").string();
  FileOutput out(c);
  ASSERT_TRUE(out.write(record("x")));
  out.close();
  EXPECT_EQ(slurp(c.path), "x\n");
  EXPECT_EQ(fs::status(dir_ / "a" / "b").permissions(), fs::perms(0750));
}

// The log's directory replaced by a symlink while the agent runs: rotation
// and the reopen refuse it; the link's target keeps its files.
TEST_F(SafeFilesTest, DirectorySwappedForSymlinkStopsRotationAndReopen) {
  auto c = file_cfg();
  c.path = (dir_ / "logs" / "events.json").string();
  c.max_size_bytes = 10;
  c.max_files = 2;
  FileOutput out(c);
  ASSERT_TRUE(out.write(record("first-line")));
  fs::create_directories(dir_ / "target");
  std::ofstream((dir_ / "target" / "events.json").string()) << "precious\n";
  fs::rename(dir_ / "logs", dir_ / "logs-old");
  fs::create_directory_symlink(dir_ / "target", dir_ / "logs");
  EXPECT_FALSE(out.write(record("second-line")));  // would rotate: the reopen is refused
  out.close();
  EXPECT_EQ(slurp((dir_ / "target" / "events.json").string()), "precious\n");
  EXPECT_FALSE(fs::exists(dir_ / "target" / "events.json.1"));
}

TEST_F(SafeFilesTest, DirWalkNamesTheSymlinkedComponent) {
  fs::create_directories(dir_ / "real" / "inner");
  fs::create_directory_symlink(dir_ / "real", dir_ / "link");
  int fd = -1;
  std::string bad;
  EXPECT_EQ(open_dir_nofollow((dir_ / "link" / "inner").string(), false, &fd, &bad), ELOOP);
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(bad, (dir_ / "link").string());
  EXPECT_EQ(open_dir_nofollow((dir_ / "missing").string(), false, &fd, &bad), ENOENT);
  ASSERT_EQ(open_dir_nofollow((dir_ / "real" / "inner").string(), false, &fd, &bad), 0);
  EXPECT_GE(fd, 0);
  ::close(fd);
}

}  // namespace
}  // namespace sockwarden
