list(APPEND SW_UNIT_TEST_SOURCES
  unit/test_cgroup_layout.cpp
  unit/test_container_runtime_state.cpp
  unit/test_container_resolver.cpp
  unit/test_container_fields.cpp)
