# meshgw-control end to end on 127.0.0.1 (label `integration`): two agents with the walkthrough's
# configs, every CLI command, a peering between them, a config change seen in proxy-config, and a
# real meshgw gateway fed by the agent. Included by tests/integration/CMakeLists.txt; needs python3.
if(TARGET meshgw-control AND TARGET meshgw)
  add_test(NAME control_integration
    COMMAND python3 -B ${CMAKE_CURRENT_LIST_DIR}/control_test.py
            --control $<TARGET_FILE:meshgw-control> --meshgw $<TARGET_FILE:meshgw>
            --source-dir ${PROJECT_SOURCE_DIR})
  set_tests_properties(control_integration PROPERTIES LABELS integration TIMEOUT 120)
endif()
