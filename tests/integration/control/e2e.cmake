# meshgw-control end to end in the two-datacenter sandbox (issue 6, "Tests"): both datacenters'
# agents and gateways with the demo services on 127.0.1.x / 127.0.2.x (reusing sandbox/sandbox.py);
# a config entry changed and carried to traffic; both agents restarted while 20 long-lived
# connections carry requests (none dropped, gateways resync, the peering comes back). About 60 s.
# It holds the sandbox's fixed loopback ports, hence the resource lock shared with sandbox_check.
if(TARGET meshgw AND TARGET meshgw-control AND TARGET meshgw-fake-service)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  add_test(NAME control_e2e
    COMMAND ${Python3_EXECUTABLE} -B ${CMAKE_CURRENT_LIST_DIR}/e2e_test.py)
  set_tests_properties(control_e2e PROPERTIES
    LABELS integration TIMEOUT 180 RESOURCE_LOCK meshgw_sandbox
    ENVIRONMENT "MESHGW_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
