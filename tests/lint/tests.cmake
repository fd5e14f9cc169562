# sockwarden lint through the real binary (no root needed; seconds).
add_test(NAME lint.cli COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_lint_cli.sh $<TARGET_FILE:sockwarden>)
# The project's own deploy/kubernetes, packaging/ and scripts/ linted with the same rules.
add_test(NAME lint.project_manifests
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_project_manifests.sh $<TARGET_FILE:sockwarden> ${CMAKE_SOURCE_DIR})
set_tests_properties(lint.cli lint.project_manifests PROPERTIES LABELS "lint" TIMEOUT 120)
