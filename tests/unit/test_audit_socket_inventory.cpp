// Socket inventory, group members and the permission findings, over temp trees.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "audit/group_members.h"
#include "audit/socket_inventory.h"
#include "audit_tree.h"

namespace sockwarden::audit {
namespace {

using testing::TempTree;

const char* kPasswd =
    "root:x:0:0:root:/root:/bin/bash\n"
    "alice:x:1000:1000::/home/alice:/bin/bash\n"
    "# a comment\n"
    "broken line\n"
    "ci:x:1001:999::/home/ci:/bin/sh\n"  // primary group docker
    "toor:x:0:0::/root:/bin/sh\n";
const char* kGroup =
    "root:x:0:\n"
    "alice:x:1000:\n"
    "docker:x:999:alice,bob,toor\n"
    "empty:x:998:\n";

const Finding* find(const std::vector<Finding>& fs, const std::string& check) {
  auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.check == check; });
  return it == fs.end() ? nullptr : &*it;
}

TEST(AuditGroupMembers, MembersListPlusPrimaryGroupUsers) {
  UserDb db = UserDb::parse(kPasswd, kGroup);
  EXPECT_EQ(db.user_name(1000), "alice");
  EXPECT_EQ(db.group_name(999), "docker");
  EXPECT_EQ(db.members(999), (std::vector<std::string>{"alice", "bob", "ci", "toor"}));
  EXPECT_TRUE(db.members(998).empty());
  EXPECT_TRUE(db.is_uid0("toor"));
  EXPECT_FALSE(db.is_uid0("alice"));
  EXPECT_EQ(db.user_name(4242), "");
}

TEST(AuditGroupMembers, LoadsFromAnEtcDirectory) {
  TempTree t;
  t.write("etc/passwd", kPasswd);
  t.write("etc/group", kGroup);
  UserDb db = UserDb::load(t.path("etc"));
  EXPECT_EQ(db.group_name(999), "docker");
  UserDb none = UserDb::load(t.path("missing"));
  EXPECT_EQ(none.group_name(0), "");
}

TEST(AuditSocketInventory, StatsSocketsAndSkipsWhatIsNotOne) {
  TempTree t;
  std::string s = t.socket("run/docker.sock", 0660);
  t.write("run/notasocket.sock", "x");
  t.symlink(s, "var/run/docker.sock");  // same inode through a symlink: listed once
  UserDb db = UserDb::parse(kPasswd, kGroup);
  auto socks = inventory_sockets({s, t.path("var/run/docker.sock"), t.path("run/notasocket.sock"),
                                  t.path("run/missing.sock"), "@abstract"},
                                 db);
  ASSERT_EQ(socks.size(), 1u);
  struct stat st {};
  ASSERT_EQ(stat(s.c_str(), &st), 0);
  EXPECT_EQ(socks[0].path, s);
  EXPECT_EQ(socks[0].ino, st.st_ino);
  EXPECT_EQ(socks[0].mode, 0660u);
  EXPECT_EQ(mode_string(socks[0].mode), "0660");
  EXPECT_EQ(socks[0].owner, "root");
  EXPECT_FALSE(socks[0].rootless_uid);
}

TEST(AuditSocketInventory, GlobsExpand) {
  TempTree t;
  t.socket("user/1000/docker.sock");
  t.socket("user/1001/docker.sock");
  auto socks = inventory_sockets({t.path("user/*/docker.sock")}, UserDb{});
  EXPECT_EQ(socks.size(), 2u);
}

RuntimeSocket sock(mode_t mode, gid_t gid, std::vector<std::string> members, uid_t uid = 0) {
  RuntimeSocket s;
  s.path = "/var/run/docker.sock";
  s.mode = mode;
  s.gid = gid;
  s.uid = uid;
  s.group = gid == 999 ? "docker" : "root";
  s.group_members = std::move(members);
  s.ino = 77;
  return s;
}

TEST(AuditSocketInventory, DockerGroupMembersAreHigh) {
  auto fs = socket_findings({sock(0660, 999, {"alice", "ci"})});
  const Finding* f = find(fs, "socket-group-members");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::High);
  EXPECT_NE(f->title.find("root-equivalent"), std::string::npos);
  bool listed = false;
  for (const auto& e : f->evidence) listed = listed || e == "members: alice, ci";
  EXPECT_TRUE(listed);
  EXPECT_EQ(find(fs, "socket-world-writable"), nullptr);
  EXPECT_EQ(audit_exit_code(fs), 1);
}

TEST(AuditSocketInventory, WorldWritableIsCritical) {
  auto fs = socket_findings({sock(0666, 0, {})});
  const Finding* f = find(fs, "socket-world-writable");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::Critical);
  EXPECT_FALSE(f->remediation.empty());
  EXPECT_EQ(audit_exit_code(fs), 2);
}

TEST(AuditSocketInventory, RootOnlySocketIsClean) {
  EXPECT_TRUE(socket_findings({sock(0600, 0, {})}).empty());
  EXPECT_TRUE(socket_findings({sock(0660, 0, {})}).empty());  // root group, no members
  auto fs = socket_findings({sock(0660, 999, {})});             // a group nobody is in
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::Low);
}

TEST(AuditSocketInventory, NonRootOwnerAndRootless) {
  auto fs = socket_findings({sock(0600, 0, {}, 1000)});
  ASSERT_NE(find(fs, "socket-owner-not-root"), nullptr);
  RuntimeSocket r = sock(0600, 1000, {}, 1000);
  r.path = "/run/user/1000/docker.sock";
  r.rootless_uid = 1000;
  auto rf = socket_findings({r});
  ASSERT_EQ(rf.size(), 1u);
  EXPECT_EQ(rf[0].check, "rootless-daemon");
  EXPECT_EQ(rf[0].severity, Severity::Info);
}

TEST(AuditSocketInventory, RootlessUidFromPath) {
  TempTree t;
  // inventory_sockets reads the uid from /run/user/<uid>/...: only real
  // paths there qualify, so a temp path is not rootless.
  auto socks = inventory_sockets({t.socket("run/user/1000/docker.sock")}, UserDb{});
  ASSERT_EQ(socks.size(), 1u);
  EXPECT_FALSE(socks[0].rootless_uid);
}

}  // namespace
}  // namespace sockwarden::audit
