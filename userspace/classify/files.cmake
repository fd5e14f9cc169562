set(SW_CLASSIFY_SOURCES
  classify/event_filter.cpp
  classify/redactor.cpp
  classify/caller_policy.cpp
  classify/caller_classifier.cpp
  classify/relay_detector.cpp)
