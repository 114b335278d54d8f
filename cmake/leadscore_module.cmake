# leadscore_module(NAME n SRCS a.cc ... DEPS m ...): one static library per src/ folder.
# The DEPS list is the layering: a module links only what it declares.
function(leadscore_module)
  cmake_parse_arguments(M "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(leadscore_${M_NAME} STATIC ${M_SRCS})
  target_include_directories(leadscore_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(leadscore_${M_NAME} PRIVATE ${LEADSCORE_WARNINGS})
  target_link_libraries(leadscore_${M_NAME} PUBLIC ${M_DEPS})
endfunction()

# leadscore_test(NAME n SRCS a_test.cc ... DEPS m ...): one GoogleTest binary per module.
function(leadscore_test)
  if(NOT LEADSCORE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_compile_options(${T_NAME} PRIVATE ${LEADSCORE_WARNINGS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE
    LEADSCORE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    LEADSCORE_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 60)
endfunction()
