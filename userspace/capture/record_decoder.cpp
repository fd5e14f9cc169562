#include "capture/record_decoder.h"

#include <cstddef>
#include <algorithm>
#include <cstring>

#include "events.h"

namespace sockwarden {

// The ABI: if any of these fail, bpf/events.h changed without the userspace side.
static_assert(sizeof(sw_event) == 120);
static_assert(sizeof(sw_flood_state) == 80);
static_assert(offsetof(sw_event, ts_boot_ns) == 8);
static_assert(offsetof(sw_event, pid) == 16);
static_assert(offsetof(sw_event, tgid) == 20);
static_assert(offsetof(sw_event, ppid) == 24);
static_assert(offsetof(sw_event, uid) == 28);
static_assert(offsetof(sw_event, gid) == 32);
static_assert(offsetof(sw_event, watch_id) == 36);
static_assert(offsetof(sw_event, cgroup_id) == 40);
static_assert(offsetof(sw_event, pidns) == 48);
static_assert(offsetof(sw_event, mntns) == 52);
static_assert(offsetof(sw_event, netns) == 56);
static_assert(offsetof(sw_event, fd) == 60);
static_assert(offsetof(sw_event, sock_ino) == 64);
static_assert(offsetof(sw_event, sock_dev) == 72);
static_assert(offsetof(sw_event, result) == 76);
static_assert(offsetof(sw_event, client_sock_ino) == 80);
static_assert(offsetof(sw_event, bytes) == 88);
static_assert(offsetof(sw_event, comm) == 96);
static_assert(offsetof(sw_event, payload_len) == 112);
static_assert(offsetof(sw_event, euid) == 116);
static_assert(sizeof(sw_proc_event) == 1368);
static_assert(offsetof(sw_proc_event, cap_effective) == 1360);
static_assert(offsetof(sw_proc_event, cgroup_id) == 1352);
static_assert(offsetof(sw_proc_event, tgid) == 4);
static_assert(offsetof(sw_proc_event, ppid) == 8);
static_assert(offsetof(sw_proc_event, loginuid) == 24);
static_assert(offsetof(sw_proc_event, start_boottime) == 32);
static_assert(offsetof(sw_proc_event, comm) == 48);
static_assert(offsetof(sw_proc_event, filename_len) == 64);
static_assert(offsetof(sw_proc_event, filename) == 72);
static_assert(offsetof(sw_proc_event, args) == 328);
static_assert(sizeof(sw_watch_key) == 136);
static_assert(offsetof(sw_watch_key, ino) == 8);
static_assert(offsetof(sw_watch_key, netns) == 16);
static_assert(offsetof(sw_watch_key, name) == 24);
static_assert(sizeof(sw_watch_val) == 8);
static_assert(sizeof(sw_name_key) == 112);

std::optional<RawEvent> decode_record(const void* data, size_t size) {
  if (data == nullptr || size < sizeof(sw_event)) return std::nullopt;
  sw_event h;
  std::memcpy(&h, data, sizeof h);
  RawEvent e;
  switch (h.type) {
    case SW_EV_CONNECT: e.kind = EventKind::Connect; break;
    case SW_EV_CONNECT_ATTEMPT: e.kind = EventKind::ConnectAttempt; break;
    case SW_EV_SEND: e.kind = EventKind::Send; break;
    case SW_EV_REPLY: e.kind = EventKind::Reply; break;
    default: return std::nullopt;
  }
  if (h.payload_len > SW_PAYLOAD_MAX || h.payload_len > size - sizeof(sw_event)) return std::nullopt;
  e.tier = h.tier;
  e.flags = h.flags;
  e.ts_boot_ns = h.ts_boot_ns;
  e.pid = h.pid;
  e.tgid = h.tgid;
  e.ppid = h.ppid;
  e.uid = h.uid;
  e.euid = h.euid;
  e.gid = h.gid;
  e.watch_id = h.watch_id;
  e.cgroup_id = h.cgroup_id;
  e.pidns = h.pidns;
  e.mntns = h.mntns;
  e.netns = h.netns;
  e.fd = h.fd;
  e.sock_ino = h.sock_ino;
  e.sock_dev = h.sock_dev;
  e.result = h.result;
  e.client_sock_ino = h.client_sock_ino;
  e.bytes = h.bytes;
  e.comm.assign(h.comm, strnlen(h.comm, sizeof h.comm));
  e.payload.assign(static_cast<const char*>(data) + sizeof(sw_event), h.payload_len);
  return e;
}

std::optional<ProcEvent> decode_proc_record(const void* data, size_t size) {
  if (data == nullptr || size < sizeof(sw_proc_event)) return std::nullopt;
  // 1.3 KiB: copied once so every read below is of our own memory.
  sw_proc_event h;
  std::memcpy(&h, data, sizeof h);
  ProcEvent e;
  switch (h.type) {
    case SW_PROC_EXEC: e.kind = ProcEventKind::Exec; break;
    case SW_PROC_FORK: e.kind = ProcEventKind::Fork; break;
    case SW_PROC_EXIT: e.kind = ProcEventKind::Exit; break;
    default: return std::nullopt;
  }
  e.tgid = h.tgid;
  e.ppid = h.ppid;
  e.uid = h.uid;
  e.euid = h.euid;
  e.gid = h.gid;
  e.loginuid = h.loginuid;
  e.sessionid = h.sessionid;
  e.start_boottime = h.start_boottime;
  e.ts_boot_ns = h.ts_boot_ns;
  e.comm.assign(h.comm, strnlen(h.comm, sizeof h.comm));
  e.cgroup_id = h.cgroup_id;
  e.has_cap_effective = (h.flags & SW_PROC_F_CAPS) != 0;
  e.cap_effective = e.has_cap_effective ? h.cap_effective : 0;
  size_t fl = std::min<size_t>(h.filename_len, sizeof h.filename);
  e.filename.assign(h.filename, strnlen(h.filename, fl));
  size_t al = std::min<size_t>(h.args_len, sizeof h.args);
  size_t i = 0;
  while (i < al) {
    size_t n = strnlen(h.args + i, al - i);
    e.args.emplace_back(h.args + i, n);
    i += n + 1;
  }
  // A full buffer whose last byte is not a NUL: the last argument was cut.
  e.args_truncated = al == sizeof h.args && h.args[al - 1] != '\0';
  return e;
}

}  // namespace sockwarden
