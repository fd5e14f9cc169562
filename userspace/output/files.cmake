set(SW_OUTPUT_SOURCES
  output/payload_escape.cpp
  output/flag_names.cpp
  output/ecs_json.cpp
  output/container_fields.cpp
  output/request_fields.cpp
  output/table_printer.cpp
  output/summary.cpp)
