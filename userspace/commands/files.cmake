set(SW_COMMANDS_SOURCES
  commands/agent.cpp
  commands/request_pipeline.cpp
  commands/sinks.cpp
  commands/existing_connections.cpp
  commands/lifecycle.cpp
  commands/doctor.cpp
  commands/audit.cpp)
