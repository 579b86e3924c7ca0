# determinism.cmake - the same run twice prints the same bytes.
#
# cmake -DTABSIM=path -DSCENARIO=file -DSEED=n -P determinism.cmake
#
# STYLE rule 8: a determinism test runs the same input twice and compares
# the whole output byte for byte.  A second seed must print something else,
# or the comparison would pass for a tabsim that ignores its seed.
cmake_minimum_required(VERSION 3.25)

function(run_once seed out_var)
  execute_process(COMMAND "${TABSIM}" run "${SCENARIO}" --seed ${seed} --trace
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc MATCHES "^[01]$")
    message(FATAL_ERROR "tabsim run --seed ${seed} exited ${rc}\n${out}\n${err}")
  endif()
  if(NOT err STREQUAL "")
    message(FATAL_ERROR "tabsim run --seed ${seed} wrote to stderr:\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

run_once(${SEED} first)
run_once(${SEED} second)
if(NOT first MATCHES "timeline" OR NOT first MATCHES "verdict")
  message(FATAL_ERROR "no timeline or verdict in the output:\n${first}")
endif()
string(LENGTH "${first}" len)
if(len LESS 2000)
  message(FATAL_ERROR "the traced output is suspiciously short (${len} bytes):\n${first}")
endif()
if(NOT first STREQUAL second)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/determinism-1.txt" "${first}")
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/determinism-2.txt" "${second}")
  message(FATAL_ERROR "two runs of seed ${SEED} differ; see determinism-1.txt and determinism-2.txt in "
                      "${CMAKE_CURRENT_BINARY_DIR}")
endif()
math(EXPR other "${SEED} + 1")
run_once(${other} third)
if(first STREQUAL third)
  message(FATAL_ERROR "seeds ${SEED} and ${other} print the same run: is the seed used?")
endif()
