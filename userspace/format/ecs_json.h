// Serializes an Event as one ECS-style JSON document (the --json output
// format). This file and the field writers it calls (container_fields,
// request_fields, flood_json) are the one place that defines event JSON: every
// event kind is written by JsonWriter straight into the line, members in
// sorted key order (see json_writer.h).
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "format/json_writer.h"
#include "model/event.h"

namespace sockwarden {

inline constexpr const char* kEcsVersion = "8.11.0";

// Compact, single line, no trailing newline. Never throws on odd bytes:
// strings that are not valid UTF-8 (a process may put anything in its comm or
// argv) get U+FFFD instead of aborting the event.
std::string to_json_line(const Event& e);
// The same line appended to out (a reused buffer).
void append_json_line(std::string& out, const Event& e);
// The same line in this thread's reused buffer: valid until the next call on this thread.
std::string_view render_json_line(const Event& e);

// The line parsed back into a tree: for tests and tools that look fields up.
// Output never goes through it.
nlohmann::json to_ecs_json(const Event& e);

// Values and members the event kinds share, for the field writers.
void write_time(JsonWriter& w, uint64_t realtime_ns);              // "2026-11-22T22:46:37.123456789Z"
void write_timestamp_member(JsonWriter& w, uint64_t realtime_ns);  // "@timestamp"
void write_ecs_member(JsonWriter& w);                              // "ecs": {"version"}
void write_user_member(JsonWriter& w, const RawEvent& r);          // "user": {"effective", "id"}
void write_cgroup_member(JsonWriter& w, const Event& e);           // "cgroup": {"id", "path"}

}  // namespace sockwarden
