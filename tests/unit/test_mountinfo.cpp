#include "enrich/mountinfo.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sockwarden {
namespace {

// A hybrid-hierarchy host: v1 controllers plus the unified tree in a subdirectory.
const char* kHybrid =
    "23 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:18 master:3 - cgroup2 cgroup2 rw\n"
    "42 31 0:39 / /sys/fs/cgroup/second rw,relatime - cgroup2 cgroup2 rw\n";

TEST(Mountinfo, ParsesFieldsAcrossVariableOptionalFields) {
  auto m = parse_mountinfo(kHybrid);
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[0].mount_point, "/");
  EXPECT_EQ(m[0].root, "/");
  EXPECT_EQ(m[0].fstype, "ext4");
  EXPECT_EQ(m[0].source, "/dev/sda1");
  EXPECT_EQ(m[1].fstype, "tmpfs");  // no optional fields at all
  EXPECT_EQ(m[3].mount_point, "/sys/fs/cgroup/unified");  // two optional fields
  EXPECT_EQ(m[3].fstype, "cgroup2");
  EXPECT_EQ(m[3].source, "cgroup2");
}

TEST(Mountinfo, DecodesOctalEscapes) {
  auto m = parse_mountinfo(
      "50 23 0:40 /sub\\134dir /mnt/with\\040space\\011tab rw - fuse.sshfs user@host:/a\\040b rw\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].mount_point, "/mnt/with space\ttab");
  EXPECT_EQ(m[0].root, "/sub\\dir");
  EXPECT_EQ(m[0].source, "user@host:/a b");
  EXPECT_EQ(m[0].fstype, "fuse.sshfs");
}

TEST(Mountinfo, LeavesNonOctalBackslashAlone) {
  auto m = parse_mountinfo("50 23 0:40 / /a\\xyz\\09 rw - tmpfs tmpfs rw\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].mount_point, "/a\\xyz\\09");
}

TEST(Mountinfo, SkipsMalformedLinesKeepsTheRest) {
  auto m = parse_mountinfo(
      "garbage\n"
      "\n"
      "1 2 3:4 / /nosep rw shared:1 cgroup2 x\n"  // no " - " separator
      "41 31 0:38 / /cg rw - cgroup2 cgroup2 rw");  // no trailing newline
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].mount_point, "/cg");
  EXPECT_EQ(m[0].fstype, "cgroup2");
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/sw_mountinfo_XXXXXX";
    int fd = mkstemp(tmpl);
    path_ = tmpl;
    close(fd);
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Mountinfo, FindCgroup2ReturnsFirstCgroup2Mount) {
  TempFile f(kHybrid);
  EXPECT_EQ(find_cgroup2_mount(f.path()), std::optional<std::string>("/sys/fs/cgroup/unified"));
}

TEST(Mountinfo, FindCgroup2OnUnifiedHost) {
  TempFile f(
      "23 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
  EXPECT_EQ(find_cgroup2_mount(f.path()), std::optional<std::string>("/sys/fs/cgroup"));
}

TEST(Mountinfo, FindCgroup2NoneOrUnreadable) {
  TempFile f("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
  EXPECT_EQ(find_cgroup2_mount(f.path()), std::nullopt);
  EXPECT_EQ(find_cgroup2_mount("/nonexistent/mountinfo"), std::nullopt);
  EXPECT_TRUE(read_mountinfo("/nonexistent/mountinfo").empty());
}

// The real host: whatever layout it has, the cgroup2 mount must be found and
// be a directory.
TEST(Mountinfo, RealHostHasCgroup2Mount) {
  auto mounts = read_mountinfo("/proc/self/mountinfo");
  ASSERT_FALSE(mounts.empty());
  auto cg = find_cgroup2_mount("/proc/self/mountinfo");
  ASSERT_TRUE(cg.has_value()) << "no cgroup2 mount on this host";
  EXPECT_TRUE(std::filesystem::is_directory(*cg)) << *cg;
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(*cg) / "cgroup.procs")) << *cg;
}

}  // namespace
}  // namespace sockwarden
