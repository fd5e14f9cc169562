#include "enrich/process_reader.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace fs = std::filesystem;

namespace sockwarden {
namespace {

// Reads at most `limit` bytes; "" on any error. procfs files report size 0,
// so the length cannot be known up front.
std::string read_file(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

std::string trim_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

ProcessReader::ProcessReader(std::string proc_root, size_t max_entries)
    : proc_root_(std::move(proc_root)), max_entries_(max_entries == 0 ? 1 : max_entries) {}

// starttime (field 22 of /proc/PID/stat) tells a reused pid apart from the
// process we cached. comm (field 2) may contain spaces and ')', so fields are
// counted from the last ')'.
std::optional<uint64_t> ProcessReader::read_starttime(uint32_t tgid) const {
  std::string stat = read_file(proc_root_ + "/" + std::to_string(tgid) + "/stat", 4096);
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  // Fields after ')' start at field 3 (state); starttime is field 22.
  for (int n = 3; n <= 22; ++n) {
    if (!(rest >> field)) return std::nullopt;
  }
  try {
    size_t used = 0;
    uint64_t v = std::stoull(field, &used);
    if (used != field.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

ProcessInfo ProcessReader::read_fresh(uint32_t tgid) const {
  const std::string dir = proc_root_ + "/" + std::to_string(tgid);
  ProcessInfo info;

  std::error_code ec;
  auto exe = fs::read_symlink(dir + "/exe", ec);
  if (!ec) {
    info.executable = exe.string();
    // The kernel appends " (deleted)" when the binary was unlinked or replaced
    // (e.g. by a package upgrade); the path itself is still the useful part.
    static const std::string kDeleted = " (deleted)";
    if (info.executable.size() > kDeleted.size() &&
        info.executable.compare(info.executable.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
      info.executable.resize(info.executable.size() - kDeleted.size());
    }
  }

  // One byte over the cap tells us whether the trailing NUL is inside the cap.
  std::string cmd = read_file(dir + "/cmdline", kMaxCommandLine + 1);
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  for (char& c : cmd) {
    if (c == '\0') c = ' ';
  }
  if (cmd.size() > kMaxCommandLine) cmd.resize(kMaxCommandLine);
  info.command_line = std::move(cmd);

  info.name = trim_newline(read_file(dir + "/comm", 64));
  return info;
}

void ProcessReader::store(uint32_t tgid, uint64_t starttime, const ProcessInfo& info) {
  invalidate(tgid);
  lru_.push_front(Entry{tgid, starttime, info});
  index_[tgid] = lru_.begin();
  while (index_.size() > max_entries_) {
    index_.erase(lru_.back().tgid);
    lru_.pop_back();
  }
}

void ProcessReader::invalidate(uint32_t tgid) {
  auto it = index_.find(tgid);
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

ProcessInfo ProcessReader::read(uint32_t tgid, const std::string& comm_hint) {
  ProcessInfo info;
  try {
    auto starttime = read_starttime(tgid);
    auto it = index_.find(tgid);
    if (it != index_.end() && (!starttime || *starttime == it->second->starttime)) {
      // Same process, or it exited and the cached entry is the best we have.
      lru_.splice(lru_.begin(), lru_, it->second);
      info = it->second->info;
    } else if (starttime) {
      info = read_fresh(tgid);
      store(tgid, *starttime, info);
    }
  } catch (...) {
    // Allocation failure or similar: fall through with what we have.
  }
  if (!comm_hint.empty()) info.name = comm_hint;
  return info;
}

}  // namespace sockwarden
