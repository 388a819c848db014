# meshgw end to end with real clients (openssl s_client, curl) on 127.0.0.1: every mode, every
# refusal with its counter, 200 connections across 50 reloads, failover, SIGTERM drain (label
# `integration`). Included by tests/integration/CMakeLists.txt; needs python3, openssl and curl.
if(TARGET meshgw)
  add_test(NAME gateway_integration
    COMMAND python3 -B ${CMAKE_CURRENT_LIST_DIR}/run_tests.py --meshgw $<TARGET_FILE:meshgw>
            --deadline 240)
  set_tests_properties(gateway_integration PROPERTIES LABELS integration TIMEOUT 300)
endif()
# The harness's own checks (PKI, backends, metrics parsing), which need no gateway.
add_test(NAME gateway_integration_harness
  COMMAND python3 -B ${CMAKE_CURRENT_LIST_DIR}/run_tests.py --harness-only)
set_tests_properties(gateway_integration_harness PROPERTIES LABELS integration TIMEOUT 60)
