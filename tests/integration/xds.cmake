# xds integration tests: the real ADS server and client over gRPC on 127.0.0.1 (label
# `integration`). Included from tests/integration/CMakeLists.txt.
add_executable(xds_loopback_test ${CMAKE_CURRENT_LIST_DIR}/xds_loopback_test.cc)
target_link_libraries(xds_loopback_test PRIVATE xds GTest::gtest GTest::gmock GTest::gtest_main)
add_test(NAME xds_loopback_test COMMAND xds_loopback_test)
set_tests_properties(xds_loopback_test PROPERTIES LABELS integration TIMEOUT 120)

# bench/micro's glob makes one executable per *_bench.cc linking hcl and benchmark only; the xds
# benchmarks also need the xds library. bench/ is read before tests/, so the targets exist here.
file(GLOB xds_micro_benches CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/micro/xds_*_bench.cc)
foreach(src IN LISTS xds_micro_benches)
  get_filename_component(name ${src} NAME_WE)
  if(TARGET ${name})
    target_link_libraries(${name} PRIVATE xds)
  endif()
endforeach()
