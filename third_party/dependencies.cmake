# Every third-party library comes from Debian (third_party/packages.tsv); nothing is vendored.
find_package(PkgConfig REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)

# The executables' allocator: tcmalloc (gperftools' thread-caching malloc, as Envoy links), unless
# a sanitizer brings its own. Why and what it changed: README.md, "Allocator".
option(MESHGW_TCMALLOC "Link meshgw, meshgw-control and meshgw-control-scale with tcmalloc" ON)
add_library(meshgw_malloc INTERFACE)
if(MESHGW_TCMALLOC AND NOT MESHGW_SANITIZE)
  pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
  # --no-as-needed: nothing names tcmalloc's symbols, it replaces malloc by being linked.
  target_link_libraries(meshgw_malloc INTERFACE -Wl,--push-state,--no-as-needed
                        PkgConfig::TCMALLOC -Wl,--pop-state)
endif()
