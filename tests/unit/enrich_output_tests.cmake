list(APPEND SW_UNIT_TEST_SOURCES
  unit/test_mountinfo.cpp
  unit/test_cgroup_resolver.cpp
  unit/test_boot_clock.cpp
  unit/test_payload_escape.cpp
  unit/test_ecs_json.cpp
  unit/test_table_printer.cpp
  unit/test_summary.cpp)
