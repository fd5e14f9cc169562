# enforce: expected-caller policy -> the kernel's policy maps (--enforce).
set(SW_ENFORCE_SOURCES
  enforce/enforcement_marker.cpp
  enforce/enforcer.cpp
  enforce/policy_compiler.cpp
  enforce/policy_maps.cpp)
