# `sockwarden audit` on hostile runtime state (malformed files, escape-laden names): the real
# binary on a temp Docker data root. A few hundred ms.
add_test(NAME audit.hostile_state
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_hostile_state.sh $<TARGET_FILE:sockwarden>)
set_tests_properties(audit.hostile_state PROPERTIES LABELS "audit" TIMEOUT 60)
