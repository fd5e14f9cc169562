# Where formatted events go: stdout, files, syslog, the trace table; queues and fan-out.
set(SW_SINKS_SOURCES
  sinks/line_text.cpp
  sinks/output_worker.cpp
  sinks/stdout_output.cpp
  sinks/dir_walk.cpp
  sinks/file_output.cpp
  sinks/syslog_output.cpp
  sinks/fanout.cpp
  sinks/health.cpp
  sinks/atomic_file.cpp
  sinks/trace_sinks.cpp)
