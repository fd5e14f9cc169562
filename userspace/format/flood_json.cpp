#include "format/flood_json.h"

#include "enrich/boot_clock.h"
#include "format/container_fields.h"
#include "format/ecs_json.h"

namespace sockwarden {

// event.kind alert: a flood at a runtime socket is itself suspicious, and
// what it held back is unknown to every later reader.
nlohmann::json flood_suppressed_json(const Event& e) {
  using nlohmann::json;
  const RawEvent& r = e.raw;
  const FloodCounts c = e.flood.value_or(FloodCounts{});
  json process{{"pid", r.tgid}, {"name", e.process.name.empty() ? r.comm : e.process.name}};
  if (!e.process.executable.empty()) process["executable"] = e.process.executable;
  if (!e.process.command_line.empty()) process["command_line"] = e.process.command_line;
  if (!e.process.ancestors.empty()) process["parent"] = {{"pid", e.process.ancestors.front().pid}};
  json j{
      {"@timestamp", rfc3339_utc(e.realtime_ns)},
      {"ecs", {{"version", kEcsVersion}}},
      {"event",
       {{"kind", "alert"},
        {"category", json::array({"network", "process"})},
        {"type", json::array({"info"})},
        {"action", "flood-suppressed"},
        {"outcome", "unknown"},
        {"module", "sockwarden"},
        {"dataset", "sockwarden.socket"}}},
      {"message", "the process's flood budget held back " + std::to_string(c.sends) + " sends and " +
                      std::to_string(c.opens) + " new connections to watched sockets"},
      {"process", std::move(process)},
      {"user", {{"id", std::to_string(r.uid)}, {"effective", {{"id", std::to_string(r.euid)}}}}},
      {"sockwarden",
       {{"cgroup", {{"id", r.cgroup_id}, {"path", e.cgroup_path}}},
        {"tier", e.tier},
        {"flags", e.flags},
        {"flood",
         {{"suppressed_sends", c.sends},
          {"suppressed_connects", c.opens},
          {"suppressed_bytes", c.bytes},
          {"window_ms", c.window_ms}}}}},
  };
  if (e.container) add_container_fields(j, *e.container);
  return j;
}

}  // namespace sockwarden
