# Smoke test of the benchmark scripts (scripts/bench.sh and scripts/bench/*.sh): every part
# runs once with tiny counts, so a change that breaks them is caught. It checks that they work
# (exit 0, a report with every section), never the numbers: timed assertions would flake on a
# shared machine. vmtest/bench.sh is left out (minutes under TCG); run it by hand.
# Needs root (BPF, auditctl) and auditd (scripts/setup.sh). Measured: 27-34 s.
add_test(NAME bench.smoke
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/smoke.sh ${CMAKE_BINARY_DIR})
set_tests_properties(bench.smoke PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 180
  LABELS "bench;root")
