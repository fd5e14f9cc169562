# sockwarden audit: the system's state (sockets, mounts, connections, TCP,
# container settings) -> findings. No BPF.
set(SW_AUDIT_SOURCES
  audit/finding.cpp
  audit/finding_diff.cpp
  audit/group_members.cpp
  audit/socket_inventory.cpp
  audit/process_context.cpp
  audit/tcp_exposure.cpp
  audit/mount_reach.cpp
  audit/live_connections.cpp
  audit/container_posture.cpp
  audit/audit_report.cpp
  audit/report_text.cpp
  audit/report_json.cpp
  audit/run_audit.cpp)
