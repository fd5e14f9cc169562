# Container resolution (cgroup path -> runtime metadata) and its ECS fields.
list(APPEND SW_ENRICH_SOURCES
  enrich/cgroup_layout.cpp
  enrich/small_file.cpp
  enrich/runtime_state.cpp
  enrich/storage_list_index.cpp
  enrich/docker_data_root.cpp
  enrich/container_resolver.cpp)

# userspace/CMakeLists.txt includes enrich/ before output/, and
# output/files.cmake starts SW_OUTPUT_SOURCES with set(), which would drop an
# APPEND made from here. When included that early, add the file to the
# library itself once the directory is processed (by then it exists).
if(DEFINED SW_OUTPUT_SOURCES)
  list(APPEND SW_OUTPUT_SOURCES output/container_fields.cpp)
else()
  cmake_language(DEFER CALL target_sources sockwarden_core PRIVATE output/container_fields.cpp)
endif()
