# The CLI's subcommands that are more than option parsing (main.cpp holds CLI11).
set(SW_COMMANDS_SOURCES
  commands/doctor.cpp
  commands/doctor_json.cpp
  commands/rules_report.cpp
  commands/lint.cpp
  commands/run_cli.cpp)
