# Warnings shared by every leadscore target.
set(LEADSCORE_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND LEADSCORE_WARNINGS -Wshadow=local)
  # GCC 12 warns of an overlapping memcpy inside std::string's operator+ ("x" + to_string(i)),
  # which cannot overlap: its bug 105651, fixed in GCC 13.
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    list(APPEND LEADSCORE_WARNINGS -Wno-restrict)
  endif()
else()
  list(APPEND LEADSCORE_WARNINGS -Wshadow-uncaptured-local)
endif()
