# check_no_sim.cmake - fails if any file under CORE_DIR includes a sim/ header.
#
# Goal: prove STYLE rule 2, "core/ never depends on sim/", on every test run.
# Method: read every file under CORE_DIR (sources, headers, CMake files) and
# fail on (a) an #include whose path starts with "sim/" or names a header
# that exists in SIM_INCLUDE_DIR/sim (quoted includes outside xt/), and (b) a CMake reference to a sim
# target or directory.  Run with
#   cmake -DCORE_DIR=... -DSIM_INCLUDE_DIR=... -P check_no_sim.cmake
# The core_no_sim_selftest test runs it on a fixture that must fail.
cmake_minimum_required(VERSION 3.25)
if(NOT CORE_DIR)
  message(FATAL_ERROR "CORE_DIR not set")
endif()
set(sim_names "")
if(SIM_INCLUDE_DIR AND EXISTS "${SIM_INCLUDE_DIR}/sim")
  file(GLOB_RECURSE sim_headers RELATIVE "${SIM_INCLUDE_DIR}/sim" "${SIM_INCLUDE_DIR}/sim/*.h")
  list(TRANSFORM sim_headers REPLACE "^.*/" "")
  set(sim_names ${sim_headers})
endif()
file(GLOB_RECURSE files "${CORE_DIR}/*.c" "${CORE_DIR}/*.h" "${CORE_DIR}/CMakeLists.txt" "${CORE_DIR}/*.cmake")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*$" "\\1" inc "${line}")
    get_filename_component(base "${inc}" NAME)
    if(inc MATCHES "^sim/" OR inc MATCHES "/sim/")
      list(APPEND bad "${f}: ${line}")
    elseif(line MATCHES "include[ \t]*\"" AND NOT inc MATCHES "^xt/" AND base IN_LIST sim_names)
      list(APPEND bad "${f}: ${line} (a sim header's name)")
    endif()
  endforeach()
  if(f MATCHES "CMakeLists.txt$|\\.cmake$")
    file(STRINGS "${f}" cmake_lines REGEX "(sim/|[^a-z_]sim[^a-z_]|tabsim_sim)")
    foreach(line IN LISTS cmake_lines)
      if(NOT line MATCHES "^[ \t]*#")
        list(APPEND bad "${f}: ${line}")
      endif()
    endforeach()
  endif()
endforeach()
if(bad)
  string(REPLACE ";" "\n  " bad_text "${bad}")
  message(FATAL_ERROR "core/ depends on sim/:\n  ${bad_text}")
endif()
list(LENGTH files n)
message(STATUS "core_no_sim: ${n} files checked, no sim/ dependency")
