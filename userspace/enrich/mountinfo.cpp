#include "enrich/mountinfo.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sockwarden {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// The kernel escapes space, tab, newline and backslash in paths as \ooo
// (fs/proc_namespace.c, mangle()); everything else is literal.
std::string unescape_octal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.size() - i >= 4 && is_octal(s[i + 1]) && is_octal(s[i + 2]) &&
        is_octal(s[i + 3])) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out.push_back(static_cast<char>(v & 0xff));
      i += 3;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos >= line.size()) break;
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return fields;
}

// Line layout: id parent maj:min root mount-point options [optional...] - fstype source super-options
// The optional fields vary in number, so the " - " separator is the anchor.
std::optional<MountInfo> parse_line(std::string_view line) {
  auto f = split_spaces(line);
  size_t sep = 0;
  for (size_t i = 6; i < f.size(); ++i) {
    if (f[i] == "-") {
      sep = i;
      break;
    }
  }
  if (sep == 0 || sep + 1 >= f.size()) return std::nullopt;
  MountInfo m;
  std::string devs(f[2]);
  if (std::sscanf(devs.c_str(), "%u:%u", &m.dev_major, &m.dev_minor) != 2) m.dev_major = m.dev_minor = 0;
  m.root = unescape_octal(f[3]);
  m.mount_point = unescape_octal(f[4]);
  m.fstype = std::string(f[sep + 1]);
  if (sep + 2 < f.size()) m.source = unescape_octal(f[sep + 2]);
  return m;
}

}  // namespace

std::vector<MountInfo> parse_mountinfo(std::string_view content) {
  std::vector<MountInfo> mounts;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    if (auto m = parse_line(content.substr(pos, end - pos))) mounts.push_back(std::move(*m));
    pos = end + 1;
  }
  return mounts;
}

std::vector<MountInfo> read_mountinfo(const std::string& mountinfo_path) {
  std::ifstream in(mountinfo_path);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_mountinfo(ss.str());
}

std::optional<std::string> find_cgroup2_mount(const std::string& mountinfo_path) {
  for (const auto& m : read_mountinfo(mountinfo_path)) {
    if (m.fstype == "cgroup2") return m.mount_point;
  }
  return std::nullopt;
}

}  // namespace sockwarden
