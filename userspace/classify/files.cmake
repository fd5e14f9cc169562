set(SW_CLASSIFY_SOURCES
  classify/event_filter.cpp
  classify/redactor.cpp)
