# Documentation stays true: relative links and anchors in README.md, docs/ and vmtest/README.md
# resolve, and every long option of every subcommand's --help is documented. No root, ~1 s.
add_test(NAME docs.links_and_options
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_docs.py ${CMAKE_SOURCE_DIR} $<TARGET_FILE:sockwarden>)
set_tests_properties(docs.links_and_options PROPERTIES LABELS "docs" TIMEOUT 60)
