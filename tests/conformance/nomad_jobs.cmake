# The Nomad jobs of jobs/ against Nomad's job-spec placement rules (label `conformance`; the rule
# table is in the test, written from Nomad's docs). Included from tests/conformance/CMakeLists.txt.
add_executable(nomad_jobs_test ${CMAKE_CURRENT_LIST_DIR}/nomad_jobs_test.cc)
target_link_libraries(nomad_jobs_test PRIVATE hcl_syntax absl::strings GTest::gtest GTest::gmock
                                              GTest::gtest_main)
target_compile_definitions(nomad_jobs_test PRIVATE MESHGW_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME nomad_jobs_placement COMMAND nomad_jobs_test)
set_tests_properties(nomad_jobs_placement PROPERTIES LABELS conformance TIMEOUT 60)
