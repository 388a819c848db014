# Installation and the release tarball (issue 7). Included at the end of the top-level
# CMakeLists.txt, once every target exists.
#
#   cmake --install build/release --prefix /opt/meshgw
#   (cd build/release && cpack -G TGZ)     # -> build/release/meshgw-<version>-Linux.tar.gz
#
# The tarball has no top-level folder: bin/meshgw, bin/meshgw-control, bin/meshgw-fake-service,
# share/meshgw/{configs,jobs}. The Nomad jobs' `artifact` blocks unpack it into local/meshgw/ and
# run local/meshgw/bin/<binary>.
include(GNUInstallDirs)

# `cmake --install` and cpack take the binaries as built; they do not build the whole tree first
# (build the targets, e.g. ./run build release, then package).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

foreach(program meshgw meshgw-control meshgw-fake-service)
  # meshgw-control appears once its parts are built (issue 6); the package follows the tree.
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  endif()
endforeach()

# The walkthrough's config entries, the gateway and control examples, the sandbox's configs, and
# the Nomad jobs, as references next to the binaries.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/meshgw/configs
        COMPONENT runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/jobs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/meshgw/jobs
        COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

set(CPACK_PACKAGE_NAME meshgw)
set(CPACK_PACKAGE_VENDOR "meshgw")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "meshgw: a mesh gateway for Consul cluster peering, its control component and demo service")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR TGZ)
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY OFF)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "meshgw-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}")
include(CPack)

# The tarball holds what the Nomad jobs run (label `integration`: runs cpack on the built tree).
if(TARGET meshgw AND TARGET meshgw-control AND TARGET meshgw-fake-service)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    add_test(NAME packaging_tarball
             COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/packaging/check_tarball.py
                     ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
    set_tests_properties(packaging_tarball PROPERTIES LABELS integration TIMEOUT 300)
  endif()
endif()
