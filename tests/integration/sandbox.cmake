# The two-datacenter sandbox end to end (issue 7): `sandbox/sandbox.py --check` starts both
# datacenters on 127.0.1.x / 127.0.2.x, peers them, runs the demo services and passes every check
# of the walkthrough (about 10 s). Label `integration`; it holds fixed loopback ports, hence the
# resource lock.
if(TARGET meshgw AND TARGET meshgw-control AND TARGET meshgw-fake-service)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  add_test(NAME sandbox_check COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/sandbox/sandbox.py --check)
  set_tests_properties(sandbox_check PROPERTIES
    LABELS integration TIMEOUT 180 RESOURCE_LOCK meshgw_sandbox
    ENVIRONMENT "MESHGW_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
