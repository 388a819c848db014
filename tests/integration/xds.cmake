# xds integration tests: the real ADS server and client over gRPC on 127.0.0.1 (label
# `integration`). Included from tests/integration/CMakeLists.txt.
add_executable(xds_loopback_test ${CMAKE_CURRENT_LIST_DIR}/xds_loopback_test.cc)
target_link_libraries(xds_loopback_test PRIVATE xds GTest::gtest GTest::gmock GTest::gtest_main)
add_test(NAME xds_loopback_test COMMAND xds_loopback_test)
set_tests_properties(xds_loopback_test PROPERTIES LABELS integration TIMEOUT 120)
