# sockwarden lint: static checks of Compose files, Kubernetes manifests,
# scripts/CI configs and systemd units (no BPF, no root).
set(SW_LINT_SOURCES
  lint/finding.cpp
  lint/rules.cpp
  lint/runtime_sockets.cpp
  lint/workload_checks.cpp
  lint/suppression.cpp
  lint/shell_tokens.cpp
  lint/container_cli.cpp
  lint/text_check.cpp
  lint/systemd_check.cpp
  lint/daemon_json_check.cpp
  lint/yaml_lines.cpp
  lint/yaml_budget.cpp
  lint/kubernetes_check.cpp
  lint/compose_check.cpp
  lint/lint_runner.cpp
  lint/report_text.cpp
  lint/report_json.cpp
  lint/report_sarif.cpp)
