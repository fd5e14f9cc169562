# Events -> bytes: ECS JSON, the trace table and summary, safe text.
set(SW_FORMAT_SOURCES
  format/payload_escape.cpp
  format/ecs_json.cpp
  format/flood_json.cpp
  format/json_writer.cpp
  format/container_fields.cpp
  format/request_fields.cpp
  format/table_printer.cpp
  format/summary.cpp
  format/safe_text.cpp
  format/term_text.cpp
  format/term_size.cpp
  format/trace_view.cpp
  format/reorder_buffer.cpp)
