#include "enrich/process_table.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <algorithm>
#include <unordered_set>

namespace sockwarden {

std::string join_args(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

std::string ProcessEntry::command_line() const { return join_args(args); }

ProcessImage ProcessEntry::image_at(uint64_t ts) const {
  for (const auto& img : previous)
    if (ts && ts < img.until_boot_ns) return img;
  return ProcessImage{0, executable, args};
}

ProcessTable::ProcessTable(std::string proc_root, size_t max_entries, std::chrono::seconds exit_grace)
    : proc_root_(std::move(proc_root)), max_entries_(max_entries), exit_grace_(exit_grace) {}

namespace {

std::string read_file(const std::string& path, size_t limit = 1 << 16) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  std::string s(limit, '\0');
  f.read(s.data(), limit);
  s.resize(f.gcount());
  return s;
}

std::string strip_deleted(std::string exe) {
  const std::string suffix = " (deleted)";
  if (exe.size() > suffix.size() && exe.compare(exe.size() - suffix.size(), suffix.size(), suffix) == 0)
    exe.resize(exe.size() - suffix.size());
  return exe;
}

// "Uid:\t0\t0\t0\t0" -> the n-th number.
uint32_t status_field(const std::string& status, const std::string& key, int n) {
  auto pos = status.find("\n" + key + ":");
  if (pos == std::string::npos) pos = status.rfind(key + ":", 0) == 0 ? 0 : std::string::npos;
  if (pos == std::string::npos) return 0;
  std::istringstream in(status.substr(status.find(':', pos) + 1));
  uint64_t v = 0;
  for (int i = 0; i <= n; i++) in >> v;
  return static_cast<uint32_t>(v);
}

}  // namespace

std::optional<ProcessEntry> ProcessTable::read_proc(uint32_t tgid) const {
  std::string base = proc_root_ + "/" + std::to_string(tgid);
  std::string stat = read_file(base + "/stat");
  if (stat.empty()) return std::nullopt;
  ProcessEntry e;
  e.tgid = tgid;
  e.from_proc = true;
  // comm may contain spaces and ')': fields start after the last ')'.
  auto rp = stat.rfind(')');
  auto lp = stat.find('(');
  if (lp != std::string::npos && rp != std::string::npos && rp > lp) e.name = stat.substr(lp + 1, rp - lp - 1);
  if (rp != std::string::npos) {
    std::istringstream in(stat.substr(rp + 2));
    std::string field;
    std::vector<std::string> f;
    while (in >> field && f.size() < 20) f.push_back(field);
    // f[0] = state (field 3), f[1] = ppid (4), f[19] = starttime (22)
    if (f.size() > 1) e.ppid = static_cast<uint32_t>(std::strtoul(f[1].c_str(), nullptr, 10));
    if (f.size() > 19) {
      uint64_t ticks = std::strtoull(f[19].c_str(), nullptr, 10);
      long hz = sysconf(_SC_CLK_TCK);
      e.start_boottime_ns = hz > 0 ? ticks * (1000000000ull / static_cast<uint64_t>(hz)) : 0;
    }
  }
  std::string status = read_file(base + "/status");
  e.uid = status_field(status, "Uid", 0);
  e.euid = status_field(status, "Uid", 1);
  e.gid = status_field(status, "Gid", 0);
  std::string lu = read_file(base + "/loginuid");
  if (!lu.empty()) e.loginuid = static_cast<uint32_t>(std::strtoul(lu.c_str(), nullptr, 10));
  std::string sid = read_file(base + "/sessionid");
  if (!sid.empty()) e.sessionid = static_cast<uint32_t>(std::strtoul(sid.c_str(), nullptr, 10));
  char buf[4096];
  ssize_t n = readlink((base + "/exe").c_str(), buf, sizeof buf - 1);
  if (n > 0) e.executable = strip_deleted(std::string(buf, n));
  std::string cmd = read_file(base + "/cmdline", 4096);
  size_t i = 0;
  while (i < cmd.size()) {
    size_t z = cmd.find('\0', i);
    if (z == std::string::npos) z = cmd.size();
    e.args.push_back(cmd.substr(i, z - i));
    i = z + 1;
  }
  return e;
}

ProcessEntry& ProcessTable::upsert(uint32_t tgid) {
  auto [it, inserted] = table_.try_emplace(tgid);
  generation_++;  // the caller fills or changes the entry
  if (inserted) {
    it->second.tgid = tgid;
    order_.push_back(tgid);
  }
  return it->second;
}

void ProcessTable::enforce_bound() {
  // Oldest first; a live entry evicted here is re-read from /proc on demand.
  while (table_.size() > max_entries_ && !order_.empty()) {
    generation_++;
    table_.erase(order_.front());
    order_.pop_front();
  }
  if (order_.size() > 2 * max_entries_ + 1024) {
    std::deque<uint32_t> fresh;
    std::unordered_set<uint32_t> seen;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it)
      if (table_.count(*it) && seen.insert(*it).second) fresh.push_front(*it);
    order_.swap(fresh);
  }
}

size_t ProcessTable::seed_from_proc() {
  size_t n = 0;
  DIR* d = opendir(proc_root_.c_str());
  if (!d) return 0;
  while (dirent* de = readdir(d)) {
    char* end = nullptr;
    unsigned long pid = std::strtoul(de->d_name, &end, 10);
    if (!end || *end != '\0' || pid == 0) continue;
    if (auto e = read_proc(static_cast<uint32_t>(pid))) {
      upsert(e->tgid) = std::move(*e);
      n++;
    }
  }
  closedir(d);
  enforce_bound();
  return n;
}

void ProcessTable::on_event(const ProcEvent& ev, Clock::time_point now) {
  generation_++;
  switch (ev.kind) {
    case ProcEventKind::Fork: {
      ProcessEntry child;
      // Until it execs, a child runs its parent's program.
      if (auto* parent = lookup(ev.ppid)) child = *parent;
      child.tgid = ev.tgid;
      child.ppid = ev.ppid;
      child.uid = ev.uid;
      child.euid = ev.euid;
      child.gid = ev.gid;
      child.loginuid = ev.loginuid;
      child.sessionid = ev.sessionid;
      child.start_boottime_ns = ev.start_boottime;
      child.cgroup_id = ev.cgroup_id;
      child.name = ev.comm;
      child.from_proc = false;
      child.exited = false;
      child.previous.clear();
      upsert(ev.tgid) = std::move(child);
      break;
    }
    case ProcEventKind::Exec: {
      ProcessEntry& e = upsert(ev.tgid);
      if (!e.executable.empty() || !e.args.empty()) {
        constexpr size_t kMaxImages = 4;
        if (e.previous.size() >= kMaxImages) e.previous.erase(e.previous.begin());
        e.previous.push_back({ev.ts_boot_ns, e.executable, e.args});
      }
      e.ppid = ev.ppid;
      e.uid = ev.uid;
      e.euid = ev.euid;
      e.gid = ev.gid;
      e.loginuid = ev.loginuid;
      e.sessionid = ev.sessionid;
      e.start_boottime_ns = ev.start_boottime;
      e.cgroup_id = ev.cgroup_id;
      e.name = ev.comm;
      e.args = ev.args;
      e.from_proc = false;
      e.exited = false;
      e.executable = ev.filename;
      if (e.executable.empty() || e.executable[0] != '/') {
        // execve("./tool") or via fexecve: ask the kernel for the real path.
        char buf[4096];
        ssize_t n = readlink((proc_root_ + "/" + std::to_string(ev.tgid) + "/exe").c_str(), buf, sizeof buf - 1);
        if (n > 0) e.executable = strip_deleted(std::string(buf, n));
      }
      break;
    }
    case ProcEventKind::Exit: {
      auto it = table_.find(ev.tgid);
      if (it != table_.end()) {
        it->second.exited = true;
        it->second.exited_at = now;
      }
      break;
    }
  }
  enforce_bound();
}

const ProcessEntry* ProcessTable::lookup(uint32_t tgid) {
  auto it = table_.find(tgid);
  if (it != table_.end()) return &it->second;
  auto e = read_proc(tgid);
  proc_reads_++;
  if (!e) return nullptr;
  auto& slot = upsert(tgid);
  slot = std::move(*e);
  enforce_bound();
  auto again = table_.find(tgid);
  return again == table_.end() ? nullptr : &again->second;
}

std::vector<ProcessEntry> ProcessTable::ancestors(uint32_t tgid, size_t max) {
  std::vector<ProcessEntry> out;
  for_each_ancestor(tgid, max, [&](const ProcessEntry& p) { out.push_back(p); });
  return out;
}

void ProcessTable::for_each_ancestor(uint32_t tgid, size_t max, const std::function<void(const ProcessEntry&)>& f) {
  std::vector<uint32_t> seen{tgid};  // a handful: a linear search beats a hash set
  const ProcessEntry* cur = lookup(tgid);
  uint32_t ppid = cur ? cur->ppid : 0;
  size_t n = 0;
  while (n < max) {
    if (ppid == 0 || std::find(seen.begin(), seen.end(), ppid) != seen.end()) break;
    seen.push_back(ppid);
    const ProcessEntry* parent = lookup(ppid);
    if (!parent) break;
    uint32_t next = parent->ppid;
    f(*parent);  // before the next lookup, which may insert and move entries
    n++;
    if (ppid == 1) break;
    ppid = next;
  }
}

void ProcessTable::expire(Clock::time_point now) {
  for (auto it = table_.begin(); it != table_.end();) {
    if (it->second.exited && now - it->second.exited_at >= exit_grace_) {
      generation_++;
      it = table_.erase(it);
    }
    else
      ++it;
  }
}

}  // namespace sockwarden
