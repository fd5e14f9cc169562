set(SW_ENRICH_SOURCES
  enrich/mountinfo.cpp
  enrich/cgroup_resolver.cpp
  enrich/process_table.cpp
  enrich/boot_clock.cpp)
list(APPEND SW_ENRICH_SOURCES
  enrich/attempt_resolver.cpp
  enrich/event_builder.cpp)
include(${CMAKE_CURRENT_LIST_DIR}/container_files.cmake)
