# xds conformance: meshgw's xDS server and client against Envoy's official API protos, as shipped
# by the npm package @grpc/grpc-js-xds (label `conformance`). Included from
# tests/conformance/CMakeLists.txt. The npm packages are installed into the build tree at test
# time (`npm ci`, from tests/conformance/package-lock.json); nothing of them is committed.
add_executable(xds_conformance_server ${CMAKE_CURRENT_LIST_DIR}/xds/conformance_server.cc)
target_link_libraries(xds_conformance_server PRIVATE xds nlohmann_json::nlohmann_json)
add_executable(xds_conformance_client ${CMAKE_CURRENT_LIST_DIR}/xds/conformance_client.cc)
target_link_libraries(xds_conformance_client PRIVATE xds nlohmann_json::nlohmann_json)

find_program(MESHGW_NODE node)
find_program(MESHGW_NPM npm)
if(MESHGW_NODE AND MESHGW_NPM)
  set(xds_npm_dir ${CMAKE_CURRENT_BINARY_DIR}/npm)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/package.json ${xds_npm_dir}/package.json COPYONLY)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/package-lock.json ${xds_npm_dir}/package-lock.json
                 COPYONLY)
  # Installs once; a second run finds node_modules matching the lock file and does nothing.
  add_test(NAME xds_conformance_npm
           COMMAND sh -c "cmp -s package-lock.json .lock-installed 2>/dev/null && test -d node_modules/@grpc/grpc-js-xds || { ${MESHGW_NPM} ci --prefix ${xds_npm_dir} --no-audit --no-fund --loglevel=error && cp package-lock.json .lock-installed; }"
           WORKING_DIRECTORY ${xds_npm_dir})
  set_tests_properties(xds_conformance_npm PROPERTIES
                       LABELS conformance FIXTURES_SETUP xds_npm TIMEOUT 600 RESOURCE_LOCK npm)
  add_test(NAME xds_envoy_protos
           COMMAND ${MESHGW_NODE} ${CMAKE_CURRENT_LIST_DIR}/xds/envoy_protos_test.js
                   --modules ${xds_npm_dir}/node_modules
                   --server $<TARGET_FILE:xds_conformance_server>
                   --client $<TARGET_FILE:xds_conformance_client>
                   --workdir ${CMAKE_CURRENT_BINARY_DIR}/xds_work)
  set_tests_properties(xds_envoy_protos PROPERTIES
                       LABELS conformance FIXTURES_REQUIRED xds_npm TIMEOUT 120
                       PASS_REGULAR_EXPRESSION "envoy-protos: [0-9]+ resources checked, 0 mismatches"
                       FAIL_REGULAR_EXPRESSION "FAIL")
else()
  message(WARNING "node/npm not found: the xds conformance test is not built")
endif()
