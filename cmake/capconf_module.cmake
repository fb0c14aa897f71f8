# capconf_library(NAME SOURCES a.cc b.cc DEPS other_lib ...)
# Defines the static library capconf_<NAME> whose public headers live in
# src/<NAME>/include/capconf/<NAME>/, so every module's CMakeLists stays three lines long.
function(capconf_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(capconf_${name} STATIC ${ARG_SOURCES})
  target_include_directories(capconf_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(capconf_${name} PUBLIC ${ARG_DEPS})
  capconf_apply_warnings(capconf_${name})
endfunction()

# capconf_test(NAME SOURCES ... DEPS ...): one GoogleTest binary registered with ctest.
function(capconf_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  capconf_apply_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()

function(capconf_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(CAPCONF_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
