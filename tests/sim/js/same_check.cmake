# same_check.cmake - two scenarios that differ only in how their code is
# written (an ES module adapter and its CommonJS original) must check the
# same, run for run: `tabsim check --no-timing` of each exits 0 and prints
# the same report, but for the scenario's name and path, and the replay
# token (the scenario hash covers [js] module).
#
# cmake -DTABSIM=path -DORIGINAL=file.ini -DOTHER=file.ini -P same_check.cmake
cmake_minimum_required(VERSION 3.25)

function(report file out_text)
  execute_process(COMMAND "${TABSIM}" check "${file}" --no-timing
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "tabsim check ${file} exited ${rc}, expected 0\n${out}\n${err}")
  endif()
  get_filename_component(name "${file}" NAME_WE)
  string(REPLACE "${file}" "FILE" out "${out}")
  string(REGEX REPLACE "replay      tabsim replay [^\n]*" "replay      (token)" out "${out}")
  string(REGEX REPLACE " +" " " out "${out}")
  string(REGEX REPLACE "([ (])${name}([ )\n])" "\\1NAME\\2" out "${out}")
  set(${out_text} "${out}" PARENT_SCOPE)
endfunction()

report("${ORIGINAL}" a)
report("${OTHER}" b)
if(NOT a STREQUAL b)
  message(FATAL_ERROR "${ORIGINAL} and ${OTHER} check differently:\n--- ${ORIGINAL}\n${a}\n--- ${OTHER}\n${b}")
endif()
if(NOT a MATCHES "\nverdict ([^\n]*)")
  message(FATAL_ERROR "${ORIGINAL}: no verdict:\n${a}")
endif()
message(STATUS "${OTHER} checks as ${ORIGINAL}: verdict ${CMAKE_MATCH_1}")
