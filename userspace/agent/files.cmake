# The agent's machinery: the pipeline and what runs beside it.
set(SW_AGENT_SOURCES
  agent/agent.cpp
  agent/pipeline.cpp
  agent/cgroup2_location.cpp
  agent/signals.cpp
  agent/watch_sync.cpp
  agent/record_builder.cpp
  agent/delivery.cpp
  agent/loss_reporter.cpp
  agent/request_pipeline.cpp
  agent/config_file.cpp
  agent/config_keys.cpp
  agent/outputs_sink.cpp
  agent/existing_connections.cpp
  agent/lifecycle.cpp
  agent/continuous_audit.cpp
  agent/runtime_daemon_watch.cpp
  # what the daemon did for a risky request (docs/request-effects.md)
  agent/runtime_execs.cpp
  agent/request_effects.cpp
  agent/image_effects.cpp
  agent/plugin_effects.cpp)
