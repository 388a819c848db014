# HashiCorp's hclspecsuite against `meshgw-hcl hcldec` (ctest `hcl_specsuite`, label
# `conformance`). Included from tests/conformance/CMakeLists.txt. The script fails loudly, naming
# the apt-get command, when Go or the Debian HCL sources are missing: it never skips.
add_test(NAME hcl_specsuite
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/specsuite.sh $<TARGET_FILE:meshgw-hcl>
                 ${CMAKE_BINARY_DIR}/specsuite)
set_tests_properties(hcl_specsuite PROPERTIES LABELS conformance TIMEOUT 300)
