# Warnings shared by every leadscore target.
set(LEADSCORE_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND LEADSCORE_WARNINGS -Wshadow=local)
else()
  list(APPEND LEADSCORE_WARNINGS -Wshadow-uncaptured-local)
endif()
