#include "capture/record_decoder.h"

#include <cstddef>
#include <cstring>

#include "events.h"

namespace sockwarden {

// The ABI: if any of these fail, bpf/events.h changed without the userspace side.
static_assert(sizeof(sw_event) == 120);
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

}  // namespace sockwarden
