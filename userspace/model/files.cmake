# The event model every stage shares (no I/O).
set(SW_MODEL_SOURCES
  model/flag_names.cpp)
