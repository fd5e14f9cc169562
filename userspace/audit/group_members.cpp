#include "audit/group_members.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "enrich/small_file.h"

namespace sockwarden::audit {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

bool parse_id(const std::string& s, unsigned long& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::strtoul(s.c_str(), nullptr, 10);
  return true;
}

}  // namespace

UserDb UserDb::load(const std::string& etc_dir) {
  // follow_symlinks: /etc/passwd is a symlink on some image-based systems.
  auto passwd = read_small_file(etc_dir + "/passwd", 16u << 20, true);
  auto group = read_small_file(etc_dir + "/group", 16u << 20, true);
  return parse(passwd.value_or(""), group.value_or(""));
}

UserDb UserDb::parse(const std::string& passwd_text, const std::string& group_text) {
  UserDb db;
  std::istringstream p(passwd_text);
  for (std::string line; std::getline(p, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');  // name:pw:uid:gid:gecos:home:shell
    unsigned long uid = 0, gid = 0;
    if (f.size() < 4 || !parse_id(f[2], uid) || !parse_id(f[3], gid)) continue;
    db.users_.push_back({f[0], static_cast<uid_t>(uid), static_cast<gid_t>(gid)});
  }
  std::istringstream g(group_text);
  for (std::string line; std::getline(g, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');  // name:pw:gid:member,member
    unsigned long gid = 0;
    if (f.size() < 3 || !parse_id(f[2], gid)) continue;
    Group gr{f[0], static_cast<gid_t>(gid), {}};
    if (f.size() > 3)
      for (auto& m : split(f[3], ','))
        if (!m.empty()) gr.members.push_back(m);
    db.groups_.push_back(std::move(gr));
  }
  return db;
}

std::string UserDb::user_name(uid_t uid) const {
  for (const auto& u : users_)
    if (u.uid == uid) return u.name;
  return "";
}

std::string UserDb::group_name(gid_t gid) const {
  for (const auto& g : groups_)
    if (g.gid == gid) return g.name;
  return "";
}

std::vector<std::string> UserDb::members(gid_t gid) const {
  std::vector<std::string> out;
  for (const auto& g : groups_)
    if (g.gid == gid) out.insert(out.end(), g.members.begin(), g.members.end());
  for (const auto& u : users_)
    if (u.gid == gid) out.push_back(u.name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool UserDb::is_uid0(const std::string& name) const {
  for (const auto& u : users_)
    if (u.name == name && u.uid == 0) return true;
  return false;
}

}  // namespace sockwarden::audit
