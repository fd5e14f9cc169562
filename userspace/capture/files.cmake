set(SW_CAPTURE_SOURCES
  capture/errors.cpp
  capture/record_decoder.cpp
  capture/watch_list.cpp
  capture/bpf_tier.cpp
  capture/capture.cpp
  capture/flood_reader.cpp)
