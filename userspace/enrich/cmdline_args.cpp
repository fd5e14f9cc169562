#include "enrich/cmdline_args.h"

#include <sstream>

namespace sockwarden {

std::vector<std::string> split_cmdline_args(const std::string& cmdline) {
  std::vector<std::string> args;
  if (cmdline.find('\0') != std::string::npos) {
    std::string cur;
    for (char c : cmdline) {
      if (c == '\0') {
        args.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) args.push_back(std::move(cur));
  } else {
    std::istringstream in(cmdline);
    for (std::string a; in >> a;) args.push_back(a);
  }
  return args;
}

}  // namespace sockwarden
