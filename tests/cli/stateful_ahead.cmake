# stateful_ahead.cmake - the stateful search with helpers that make its
# later runs ahead (--jobs 2, sim/explore/explore_ahead.c) prints what it
# prints on one thread, byte for byte.
#
# cmake -DTABSIM=path -DCASES="a.ini,opt,opt|b.ini" -DSHOWS=a.ini -P stateful_ahead.cmake
#
# Each case is a scenario and extra options (comma-separated), checked with
# --stateful --no-timing and --jobs 1, then --jobs 2: the same stdout and
# exit code (verdicts, counts of runs, pruned runs and states, every
# counterexample with its token and timeline, the reason a search is
# incomplete).  So that the comparison is not vacuous (helpers whose runs
# the search never took would pass it), the run of SHOWS with --jobs 2 must
# have taken some of the helpers' runs (TABSIM_AHEAD_STATS on stderr).
cmake_minimum_required(VERSION 3.25)

string(REPLACE "|" ";" cases "${CASES}")
set(shown FALSE)
foreach(case IN LISTS cases)
  string(REPLACE "," ";" args "${case}")
  list(GET args 0 file)
  foreach(jobs 1 2)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env TABSIM_AHEAD_STATS=1
                            "${TABSIM}" check ${args} --stateful --no-timing --jobs ${jobs}
                    RESULT_VARIABLE rc_${jobs} OUTPUT_VARIABLE out_${jobs} ERROR_VARIABLE err_${jobs})
  endforeach()
  if(NOT rc_1 MATCHES "^[0-3]$")
    message(FATAL_ERROR "${case}: --jobs 1 exited ${rc_1}\n${out_1}\n${err_1}")
  endif()
  if(NOT rc_1 STREQUAL rc_2 OR NOT out_1 STREQUAL out_2)
    get_filename_component(name "${file}" NAME_WE)
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/ahead-${name}-1.txt" "${out_1}")
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/ahead-${name}-2.txt" "${out_2}")
    message(FATAL_ERROR "${case}: --jobs 1 (exit ${rc_1}) and --jobs 2 (exit ${rc_2}) differ; see ahead-${name}-1.txt "
                        "and ahead-${name}-2.txt in ${CMAKE_CURRENT_BINARY_DIR}\n${err_2}")
  endif()
  if(file STREQUAL SHOWS)
    set(shown TRUE)
    if(NOT err_2 MATCHES "ahead: 1 helpers, [0-9]+ runs handed out, [1-9][0-9]* taken as made")
      message(FATAL_ERROR "${case}: --jobs 2 took none of its helpers' runs:\n${err_2}")
    endif()
  endif()
endforeach()
if(NOT shown)
  message(FATAL_ERROR "SHOWS ${SHOWS} is not one of CASES")
endif()
