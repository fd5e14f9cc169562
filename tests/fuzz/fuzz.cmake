# Fuzz targets and sanitised decoder tests: a clang sub-build (tests/fuzz/CMakeLists.txt)
# and five ctests:
#   decode.asan_unit_tests   the decoder unit tests under ASAN + UBSAN
#   enrich.bolt_asan_unit_tests  the BoltDB reader's unit tests under ASAN + UBSAN
#   fuzz.http1, fuzz.http2,  each fuzzer (fuzz.pipeline: bytes -> request pipeline -> JSON
#   fuzz.pipeline            line) for SW_FUZZ_SECONDS (default 20) from the committed
#                            seed corpus (tests/fuzz/corpus/, from the recorded fixtures),
#                            -rss_limit_mb=512: a crash, a sanitizer report or unbounded memory fails
# Needs clang and libFuzzer (Debian: clang, libclang-rt-14-dev; scripts/setup.sh installs both).
# -DSW_FUZZ=OFF skips all of it.
option(SW_FUZZ "Build the clang libFuzzer targets and sanitised decoder tests" ON)
set(SW_FUZZ_SECONDS 20 CACHE STRING "Seconds each fuzzer runs in ctest")
if(NOT SW_FUZZ)
  return()
endif()
find_program(SW_CLANGXX NAMES clang++ clang++-14 clang++-16 clang++-19)
if(NOT SW_CLANGXX)
  message(FATAL_ERROR "SW_FUZZ: clang++ not found (run scripts/setup.sh, or configure with -DSW_FUZZ=OFF)")
endif()
include(ExternalProject)
set(SW_FUZZ_BUILD ${CMAKE_BINARY_DIR}/fuzz-build)
ExternalProject_Add(sw_fuzz_build
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz
  BINARY_DIR ${SW_FUZZ_BUILD}
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${SW_CLANGXX} -DSW_SOURCE_DIR=${CMAKE_SOURCE_DIR} -DCMAKE_BUILD_TYPE=Debug
  BUILD_ALWAYS TRUE
  INSTALL_COMMAND ""
  USES_TERMINAL_BUILD TRUE)

add_test(NAME decode.asan_unit_tests COMMAND ${SW_FUZZ_BUILD}/decode_unit_asan)
set_tests_properties(decode.asan_unit_tests PROPERTIES LABELS "unit;decode;sanitizer" TIMEOUT 120
                     ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1")
add_test(NAME enrich.bolt_asan_unit_tests COMMAND ${SW_FUZZ_BUILD}/bolt_unit_asan)
set_tests_properties(enrich.bolt_asan_unit_tests PROPERTIES LABELS "unit;sanitizer" TIMEOUT 120
                     ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1")
foreach(t http1 http2 pipeline)
  add_test(NAME fuzz.${t}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.sh ${SW_FUZZ_BUILD}/fuzz_${t}
                   ${CMAKE_CURRENT_LIST_DIR}/corpus/${t} ${SW_FUZZ_SECONDS})
  math(EXPR _sw_timeout "${SW_FUZZ_SECONDS} * 3 + 30")
  set_tests_properties(fuzz.${t} PROPERTIES LABELS "fuzz" TIMEOUT ${_sw_timeout})
endforeach()
