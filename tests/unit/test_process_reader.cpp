#include "enrich/process_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

// A fake procfs with just the files ProcessReader looks at.
class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sw_proc_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path dir(uint32_t pid) { return root_ / std::to_string(pid); }

  void write(uint32_t pid, const std::string& name, const std::string& content) {
    fs::create_directories(dir(pid));
    std::ofstream(dir(pid) / name, std::ios::binary) << content;
  }
  // A realistic stat line; comm deliberately contains ") (" and spaces.
  void write_stat(uint32_t pid, uint64_t starttime, const std::string& comm = "we ird) (x") {
    write(pid, "stat",
          std::to_string(pid) + " (" + comm + ") S 1 " + std::to_string(pid) +
              " 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 " + std::to_string(starttime) +
              " 12345678 900 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n");
  }
  void make_process(uint32_t pid, uint64_t starttime, const std::string& exe, const std::string& cmdline,
                    const std::string& comm) {
    fs::create_directories(dir(pid));
    fs::remove(dir(pid) / "exe");
    fs::create_symlink(exe, dir(pid) / "exe");
    write(pid, "cmdline", cmdline);
    write(pid, "comm", comm + "\n");
    write_stat(pid, starttime);
  }

  fs::path root_;
};

TEST_F(FakeProc, ReadsExecutableCommandLineAndName) {
  make_process(100, 5000, "/usr/bin/docker", std::string("docker\0ps\0-a\0", 13), "docker");
  ProcessReader r(root_.string());
  auto info = r.read(100, "");
  EXPECT_EQ(info.executable, "/usr/bin/docker");
  EXPECT_EQ(info.command_line, "docker ps -a");
  EXPECT_EQ(info.name, "docker");
}

TEST_F(FakeProc, CommHintWinsOverCommFile) {
  make_process(100, 5000, "/usr/bin/dockerd", std::string("dockerd\0", 8), "dockerd");
  ProcessReader r(root_.string());
  EXPECT_EQ(r.read(100, "worker-thread").name, "worker-thread");
  // Also on a cache hit: comm is per thread.
  EXPECT_EQ(r.read(100, "other").name, "other");
  EXPECT_EQ(r.read(100, "").name, "dockerd");
}

TEST_F(FakeProc, StripsDeletedSuffixOnly) {
  make_process(100, 1, "/usr/bin/curl (deleted)", std::string("curl\0", 5), "curl");
  make_process(101, 1, "/opt/x (deleted) y", std::string("x\0", 2), "x");
  ProcessReader r(root_.string());
  EXPECT_EQ(r.read(100, "").executable, "/usr/bin/curl");
  EXPECT_EQ(r.read(101, "").executable, "/opt/x (deleted) y");
}

TEST_F(FakeProc, CommandLineKeepsEmptyArgsAndDropsTrailingNuls) {
  make_process(100, 1, "/bin/sh", std::string("sh\0-c\0\0echo hi\0\0", 16), "sh");
  ProcessReader r(root_.string());
  EXPECT_EQ(r.read(100, "").command_line, "sh -c  echo hi");
}

TEST_F(FakeProc, CommandLineWithoutNulsIsKeptAsIs) {
  // setproctitle()-style processes rewrite argv into one space-separated string.
  make_process(100, 1, "/usr/sbin/sshd", "sshd: root@pts/0", "sshd");
  ProcessReader r(root_.string());
  EXPECT_EQ(r.read(100, "").command_line, "sshd: root@pts/0");
}

TEST_F(FakeProc, CommandLineIsCappedAt4096) {
  std::string huge = "python3";
  huge.push_back('\0');
  huge += std::string(10000, 'a');
  huge.push_back('\0');
  make_process(100, 1, "/usr/bin/python3", huge, "python3");
  ProcessReader r(root_.string());
  auto cmd = r.read(100, "").command_line;
  EXPECT_EQ(cmd.size(), ProcessReader::kMaxCommandLine);
  EXPECT_EQ(cmd.substr(0, 9), "python3 a");
}

TEST_F(FakeProc, CachesWhileStarttimeIsUnchanged) {
  make_process(100, 5000, "/usr/bin/a", std::string("a\0", 2), "a");
  ProcessReader r(root_.string());
  EXPECT_EQ(r.read(100, "").command_line, "a");
  // Same process (same starttime): the cached entry is served.
  write(100, "cmdline", std::string("changed\0", 8));
  EXPECT_EQ(r.read(100, "").command_line, "a");
  EXPECT_EQ(r.cache_size(), 1u);
}

TEST_F(FakeProc, PidReuseIsDetectedByStarttime) {
  make_process(100, 5000, "/usr/bin/a", std::string("a\0", 2), "a");
  ProcessReader r(root_.string());
  EXPECT_EQ(r.read(100, "").executable, "/usr/bin/a");
  make_process(100, 9999, "/usr/bin/b", std::string("b\0--flag\0", 9), "b");
  auto info = r.read(100, "");
  EXPECT_EQ(info.executable, "/usr/bin/b");
  EXPECT_EQ(info.command_line, "b --flag");
  EXPECT_EQ(info.name, "b");
}

TEST_F(FakeProc, InvalidateForcesReread) {
  make_process(100, 5000, "/usr/bin/a", std::string("a\0", 2), "a");
  ProcessReader r(root_.string());
  r.read(100, "");
  write(100, "cmdline", std::string("a\0--new\0", 8));
  r.invalidate(100);
  EXPECT_EQ(r.cache_size(), 0u);
  EXPECT_EQ(r.read(100, "").command_line, "a --new");
  r.invalidate(12345);  // unknown pid: no-op
}

TEST_F(FakeProc, ExitedProcessNeverSeenGivesOnlyTheName) {
  ProcessReader r(root_.string());
  ProcessInfo info;
  ASSERT_NO_THROW(info = r.read(4242, "curl"));
  EXPECT_EQ(info.name, "curl");
  EXPECT_EQ(info.executable, "");
  EXPECT_EQ(info.command_line, "");
  EXPECT_EQ(r.cache_size(), 0u);
}

TEST_F(FakeProc, ExitedProcessKeepsWhatWasCached) {
  make_process(100, 5000, "/usr/bin/curl", std::string("curl\0--unix-socket\0/run/docker.sock\0", 36), "curl");
  ProcessReader r(root_.string());
  r.read(100, "");
  fs::remove_all(dir(100));
  auto info = r.read(100, "curl");
  EXPECT_EQ(info.executable, "/usr/bin/curl");
  EXPECT_EQ(info.command_line, "curl --unix-socket /run/docker.sock");
}

TEST_F(FakeProc, GarbageStatIsNotCached) {
  make_process(100, 5000, "/usr/bin/a", std::string("a\0", 2), "a");
  write(100, "stat", "100 (a) S 1 2\n");  // too short: no starttime
  ProcessReader r(root_.string());
  auto info = r.read(100, "a");
  EXPECT_EQ(info.name, "a");
  EXPECT_EQ(r.cache_size(), 0u);
}

TEST_F(FakeProc, LruBoundEvictsLeastRecentlyUsed) {
  for (uint32_t pid : {1u, 2u, 3u}) {
    make_process(pid, 10, "/bin/p" + std::to_string(pid), "p" + std::to_string(pid), "p");
  }
  ProcessReader r(root_.string(), 2);
  r.read(1, "");
  r.read(2, "");
  r.read(1, "");  // 1 becomes most recently used
  r.read(3, "");  // evicts 2
  EXPECT_EQ(r.cache_size(), 2u);
  // Changing cmdline without changing starttime reveals what is still cached.
  for (uint32_t pid : {1u, 2u, 3u}) write(pid, "cmdline", "new");
  EXPECT_EQ(r.read(1, "").command_line, "p1");   // cached
  EXPECT_EQ(r.read(3, "").command_line, "p3");   // cached
  EXPECT_EQ(r.read(2, "").command_line, "new");  // was evicted, re-read
}

TEST(ProcessReaderRealProc, ReadsOwnProcess) {
  ProcessReader r;
  auto info = r.read(static_cast<uint32_t>(getpid()), "");
  EXPECT_EQ(info.executable, fs::read_symlink("/proc/self/exe").string());
  EXPECT_FALSE(info.name.empty());
  EXPECT_NE(info.command_line.find(fs::path(info.executable).filename().string().substr(0, 8)), std::string::npos)
      << info.command_line;
}

}  // namespace
}  // namespace sockwarden
