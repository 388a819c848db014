# meshgw-control-scale at small scale (label `integration`): 200 services, 5 peers, 3 gateways
# (one of them a real meshgw process, which must accept and install every update), 20
# one-service changes through the real translation, xDS server and clients on 127.0.0.1. A
# smoke test, not a timing assertion: it checks that the run completes (exit 0) and reports the
# initial sync, the change percentiles and the memory as numbers.
#
# Included by tests/integration/CMakeLists.txt; ctest runs this same file in script mode
# (cmake -DTOOL=... -P control_scale.cmake) to run the tool and check its output.
if(CMAKE_SCRIPT_MODE_FILE)
  execute_process(
    COMMAND ${TOOL} --services 200 --peers 5 --gateways 3 --changes 20 --deadline 50
            --real-gateways 1 --meshgw ${MESHGW}
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err
    TIMEOUT 80)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "meshgw-control-scale exited with ${rc}:\n${err}")
  endif()
  set(number "[0-9]+(\\.[0-9]+)?(e[-+]?[0-9]+)?")
  foreach(pattern
      "\"event\":\"initial_sync\"[^\n]*\"ok\":true"
      "\"acked_ms\":${number}[^\n]*\"event\":\"initial_sync\""
      "\"acked\":{\"count\":20,\"max_ms\":${number},\"p50_ms\":${number},\"p99_ms\":${number}}"
      "\"done\":20,\"error\":\"\",\"event\":\"changes\",\"ok\":true"
      "\"control_hwm_mb\":${number}[^\n]*\"event\":\"memory\""
      "\"clients_rss_mb\":${number}"
      "\"real_gateways\":1,\"real_gateways_cpu_s\":${number}"
      "\"real_gateways_rss_mb\":${number}")
    if(NOT out MATCHES "${pattern}")
      message(FATAL_ERROR "meshgw-control-scale: no match for ${pattern} in its output")
    endif()
  endforeach()
  return()
endif()

if(TARGET meshgw-control-scale AND TARGET meshgw)
  add_test(NAME control_scale_smoke
    COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:meshgw-control-scale>
            -DMESHGW=$<TARGET_FILE:meshgw> -P ${CMAKE_CURRENT_LIST_FILE})
  set_tests_properties(control_scale_smoke PROPERTIES LABELS integration TIMEOUT 90)
endif()
