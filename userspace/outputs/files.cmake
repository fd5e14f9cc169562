set(SW_OUTPUTS_SOURCES
  outputs/output_worker.cpp
  outputs/stdout_output.cpp
  outputs/file_output.cpp
  outputs/syslog_output.cpp
  outputs/fanout.cpp
  outputs/health.cpp
  outputs/atomic_file.cpp)
