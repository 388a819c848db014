# hcl_fmt_oracle: `meshgw-hcl fmt` against HashiCorp's hclfmt, byte for byte (see hclfmt.sh).
# Included from tests/conformance/CMakeLists.txt. Needs Go and the Debian HCL source; the test
# fails (never skips) without them and names the apt-get command.
add_test(NAME hcl_fmt_oracle
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/hclfmt.sh $<TARGET_FILE:meshgw-hcl>
                 ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/hclfmt-oracle)
set_tests_properties(hcl_fmt_oracle PROPERTIES LABELS conformance TIMEOUT 600)
