# jobs_exhaustive.cmake - one exhaustive search across --jobs threads
# (sim/cli/check_split.c) reaches what it reaches on one thread.
#
# cmake -DTABSIM=path -DSCENARIOS="a.ini|b.ini" -DSPLIT_SHOWS=c.ini -P jobs_exhaustive.cmake
#
# For each scenario, `check --jobs 1` and `check --jobs 2` must print the
# same bytes (verdict, executions, steps, storage calls, cut counts, every
# counterexample with its token and timeline), except the count of pruned
# runs: the parts share a fully expanded top of the tree, where sleep sets
# block some partial runs the unsplit search never starts.  So that the
# comparison is not vacuous (a --jobs 2 that did not split would pass it),
# SPLIT_SHOWS (one of SCENARIOS) is a scenario whose split search does
# prune runs and whose unsplit one does not.
cmake_minimum_required(VERSION 3.25)

function(check_jobs file jobs out_var)
  execute_process(COMMAND "${TABSIM}" check "${file}" --jobs ${jobs} --no-timing
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "tabsim check ${file} --jobs ${jobs} exited ${rc}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

string(REPLACE "|" ";" scenarios "${SCENARIOS}")
foreach(file IN LISTS scenarios)
  check_jobs("${file}" 1 one)
  check_jobs("${file}" 2 two)
  if(NOT one MATCHES "exhaustive search" OR NOT one MATCHES "\nexplored    [1-9]")
    message(FATAL_ERROR "${file}: not an exhaustive search that made runs:\n${one}")
  endif()
  if(file STREQUAL SPLIT_SHOWS)
    set(shows_one "${one}")
    set(shows_two "${two}")
  endif()
  string(REGEX REPLACE ", [0-9]+ pruned" "" one_cmp "${one}")
  string(REGEX REPLACE ", [0-9]+ pruned" "" two_cmp "${two}")
  if(NOT one_cmp STREQUAL two_cmp)
    get_filename_component(name "${file}" NAME_WE)
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/jobs-${name}-1.txt" "${one}")
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/jobs-${name}-2.txt" "${two}")
    message(FATAL_ERROR "${file}: --jobs 1 and --jobs 2 differ; see jobs-${name}-1.txt and jobs-${name}-2.txt "
                        "in ${CMAKE_CURRENT_BINARY_DIR}")
  endif()
endforeach()

if(NOT DEFINED shows_one)
  message(FATAL_ERROR "SPLIT_SHOWS ${SPLIT_SHOWS} is not one of SCENARIOS")
endif()
if(shows_one MATCHES "pruned" OR NOT shows_two MATCHES "\nexplored    [^\n]*, [1-9][0-9]* pruned")
  message(FATAL_ERROR "${SPLIT_SHOWS}: expected pruned runs with --jobs 2 only (is the search split?):\n"
                      "--jobs 1:\n${shows_one}\n--jobs 2:\n${shows_two}")
endif()
