# Expected callers and caller flags. Needs yaml-cpp (the --expect-file format):
# the including CMakeLists links ${SW_EXTRA_LIBS} into sockwarden_core.
list(APPEND SW_CLASSIFY_SOURCES classify/caller_policy.cpp)
set(SW_EXTRA_LIBS ${SW_EXTRA_LIBS} yaml-cpp)
