// Users and groups from <etc_root>/passwd and <etc_root>/group (not NSS: the
// audit must read the same files a responder would, and tests use temp trees).
// Directory services (LDAP, sssd) are not consulted: a gap the report states.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace sockwarden::audit {

class UserDb {
 public:
  // etc_dir: normally "/etc". Missing files leave the db empty.
  static UserDb load(const std::string& etc_dir);
  static UserDb parse(const std::string& passwd_text, const std::string& group_text);

  std::string user_name(uid_t uid) const;   // "" if unknown
  std::string group_name(gid_t gid) const;  // "" if unknown
  // Members of the group: its member list plus users whose primary group it is
  // (both grant access), sorted, without duplicates.
  std::vector<std::string> members(gid_t gid) const;
  // Users with uid 0 (already root: not "made root" by a group).
  bool is_uid0(const std::string& name) const;

 private:
  struct User {
    std::string name;
    uid_t uid;
    gid_t gid;
  };
  struct Group {
    std::string name;
    gid_t gid;
    std::vector<std::string> members;
  };
  std::vector<User> users_;
  std::vector<Group> groups_;
};

}  // namespace sockwarden::audit
