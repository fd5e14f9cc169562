# Privileged integration suite: loads the real BPF programs (run as root).
add_executable(sockwarden_integration_tests
  integration/harness.cpp
  integration/cli_run.cpp
  integration/test_container_layouts.cpp
  integration/test_enforce.cpp
  integration/test_capture.cpp
  integration/test_cli.cpp
  integration/test_agent_outputs.cpp
  integration/test_audit.cpp
  integration/test_lifecycle.cpp
  integration/test_flood.cpp
  integration/test_evasion.cpp
  integration/test_faults.cpp
  integration/test_hostile_trust.cpp
  integration/test_hostile_memory.cpp
  integration/test_hostile_input.cpp
  integration/rsyslog_rig.cpp
  integration/test_siem.cpp
  integration/test_request_effects.cpp)
target_link_libraries(sockwarden_integration_tests PRIVATE sockwarden_core GTest::gtest_main uring)
target_compile_definitions(sockwarden_integration_tests PRIVATE SW_BINARY="$<TARGET_FILE:sockwarden>"
  SW_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_dependencies(sockwarden_integration_tests sockwarden)
if(NOT CMAKE_CROSSCOMPILING)
  gtest_discover_tests(sockwarden_integration_tests TEST_PREFIX "integration." DISCOVERY_TIMEOUT 30
    PROPERTIES RUN_SERIAL TRUE TIMEOUT 120)
endif()
