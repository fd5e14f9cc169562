#include "format/flood_json.h"

#include "enrich/boot_clock.h"
#include "format/container_fields.h"
#include "format/ecs_json.h"

namespace sockwarden {

// event.kind alert: a flood at a runtime socket is itself suspicious, and
// what it held back is unknown to every later reader.
void write_flood_suppressed(JsonWriter& w, const Event& e) {
  const RawEvent& r = e.raw;
  const FloodCounts c = e.flood.value_or(FloodCounts{});
  const ContainerInfo none;
  const ContainerInfo& container = e.container ? *e.container : none;
  w.begin_object();
  write_timestamp_member(w, e.realtime_ns);
  write_container_member(w, container);
  write_ecs_member(w);
  w.key("event");
  w.raw(R"({"action":"flood-suppressed","category":["network","process"],"dataset":"sockwarden.socket",)"
        R"("kind":"alert","module":"sockwarden","outcome":"unknown","type":["info"]})");
  w.member("message", "the process's flood budget held back " + std::to_string(c.sends) + " sends and " +
                          std::to_string(c.opens) + " new connections to watched sockets");
  write_orchestrator_member(w, container);
  w.key("process");
  w.begin_object();
  w.member_if("command_line", e.process->command_line);
  w.member_if("executable", e.process->executable);
  w.member("name", process_name(e));
  if (!e.process->ancestors.empty()) {
    w.key("parent");
    w.begin_object();
    w.member("pid", e.process->ancestors.front().pid);
    w.end_object();
  }
  w.member("pid", r.tgid);
  w.end_object();
  w.key("sockwarden");
  w.begin_object();
  write_cgroup_member(w, e);
  write_container_parents_member(w, container);
  w.key("flags");
  w.string_array(e.flags);
  w.key("flood");
  w.begin_object();
  w.member("suppressed_bytes", c.bytes);
  w.member("suppressed_connects", c.opens);
  w.member("suppressed_sends", c.sends);
  w.member("window_ms", c.window_ms);
  w.end_object();
  w.member("tier", e.tier);
  w.end_object();
  write_user_member(w, r);
  w.end_object();
}

}  // namespace sockwarden
