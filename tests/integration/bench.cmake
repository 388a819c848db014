# meshgw-bench against its own echo backend on 127.0.0.1: every mode for about a second, TCP and
# mTLS (label `integration`). Included by tests/integration/CMakeLists.txt.
add_test(NAME bench_loopback
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/bench_loopback.sh $<TARGET_FILE:meshgw-bench>)
set_tests_properties(bench_loopback PROPERTIES LABELS integration TIMEOUT 120)
