list(APPEND SW_UNIT_TEST_SOURCES unit/test_caller_policy.cpp)
