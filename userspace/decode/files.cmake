set(SW_DECODE_SOURCES
  decode/connect_correlator.cpp)
