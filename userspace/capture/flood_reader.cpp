#include "capture/flood_reader.h"

#include <bpf/bpf.h>

#include <cstring>

#include "events.h"

namespace sockwarden {

std::vector<FloodReader::Report> FloodReader::poll(std::chrono::steady_clock::time_point now, bool force) {
  std::vector<Report> out;
  if (fd_ < 0) return out;
  if (!force && now - last_poll_ < window_) return out;
  const auto since = last_poll_;
  last_poll_ = now;
  uint32_t key = 0, next = 0;
  uint32_t* prev = nullptr;
  std::unordered_map<uint32_t, Seen> live;
  while (bpf_map_get_next_key(fd_, prev, &next) == 0) {
    key = next;
    prev = &key;
    sw_flood_state st{};
    if (bpf_map_lookup_elem(fd_, &key, &st) != 0) continue;  // evicted meanwhile
    Seen now_seen{st.suppressed_sends, st.suppressed_opens, st.suppressed_bytes};
    live[key] = now_seen;
    Seen before{};
    if (auto it = last_.find(key); it != last_.end()) before = it->second;
    // An entry the LRU evicted and re-created restarts from zero.
    auto grew = [](uint64_t now_v, uint64_t was) { return now_v >= was ? now_v - was : now_v; };
    Report r;
    r.counts.sends = grew(now_seen.sends, before.sends);
    r.counts.opens = grew(now_seen.opens, before.opens);
    r.counts.bytes = grew(now_seen.bytes, before.bytes);
    if (r.counts.sends == 0 && r.counts.opens == 0) continue;
    r.counts.window_ms = since.time_since_epoch().count() == 0
                             ? 0
                             : static_cast<uint64_t>(
                                   std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count());
    r.who.tgid = r.who.pid = key;
    r.who.uid = st.uid;
    r.who.euid = st.euid;
    r.who.cgroup_id = st.cgroup_id;
    r.who.ts_boot_ns = st.last_suppressed_ns;
    r.who.comm.assign(st.comm, strnlen(st.comm, sizeof st.comm));
    r.who.fd = -1;
    out.push_back(std::move(r));
  }
  last_ = std::move(live);
  return out;
}

}  // namespace sockwarden
