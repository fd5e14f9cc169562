set(SW_COMMANDS_SOURCES
  commands/agent.cpp
  commands/request_pipeline.cpp
  commands/sinks.cpp
  commands/config_file.cpp
  commands/outputs_sink.cpp
  commands/doctor.cpp
  commands/audit.cpp)
