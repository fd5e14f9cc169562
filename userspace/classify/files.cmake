set(SW_CLASSIFY_SOURCES
  classify/event_filter.cpp
  classify/redactor.cpp)
include(${CMAKE_CURRENT_LIST_DIR}/caller_files.cmake)
