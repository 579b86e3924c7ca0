# baseline.cmake - behaviour is unchanged by refactoring (issue 11): every
# scenario in scenarios/ and scenarios/suite/ gives the same verdict, the
# same violated invariants, the same number of runs, steps and storage
# operations, and the same found and shrunk counterexample tokens (so the
# same choice sequences) as recorded in tests/ci/fixtures/baseline.txt.
# Scenario hashes survive the move of keys into per-algorithm groups
# (sim/scenario/scenario_hash.c), so the tokens are compared whole.  The
# suite's counterexamples are compared as found (it is checked without
# shrinking, see below).
#
# To record the fixture again after an intended change of behaviour:
#   cmake -DTABSIM=build/tabsim -DROOT=. -DRECORD=1 -DWORK=build -P tests/ci/baseline.cmake
cmake_minimum_required(VERSION 3.25)
set(work "${CMAKE_CURRENT_BINARY_DIR}")
if(DEFINED WORK)
  set(work "${WORK}")
endif()
# The suite is checked without shrinking: its 3,000 runs per file make a
# shrinking bound (the search's own work) of minutes for its 63 violating
# files, and shrinking cannot change a verdict; scenarios/ keeps its shrunk
# tokens.  The suite's found tokens still pin its choice sequences.
set(lines "")
foreach(part "scenarios/" "scenarios/suite/|--no-shrink")
  string(REPLACE "|" ";" args "${part}")
  list(GET args 0 dir)
  string(MD5 tag "${part}")
  set(json "${work}/baseline-check-${tag}.json")
  execute_process(COMMAND "${TABSIM}" check ${args} --jobs 2 --no-timing --json "${json}"
                  WORKING_DIRECTORY "${ROOT}" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "tabsim check ${args} exited ${rc}: ${err}")
  endif()
  file(READ "${json}" doc)
  string(JSON n LENGTH "${doc}" scenarios)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON s GET "${doc}" scenarios ${i})
    string(JSON file GET "${s}" file)
    string(JSON verdict GET "${s}" verdict)
    string(JSON runs GET "${s}" statistics runs)
    string(JSON steps GET "${s}" statistics steps)
    string(JSON ops GET "${s}" statistics storage_ops)
    string(JSON inv GET "${s}" invariants_violated)
    string(REGEX REPLACE "[ \n\"]" "" inv "${inv}")
    string(JSON cx TYPE "${s}" counterexample)
    set(token "-")
    set(shrink "-")
    if(cx STREQUAL "OBJECT")
      string(JSON token GET "${s}" counterexample token)
      string(JSON shrink TYPE "${s}" counterexample shrink)
      if(shrink STREQUAL "NULL")
        set(shrink "-")
      else()
        string(JSON shrink GET "${s}" counterexample shrink)
        string(REGEX REPLACE "^shrunk +" "" shrink "${shrink}")
        string(REGEX REPLACE " \\([0-9]+ shrinking runs[^)]*\\)" "" shrink "${shrink}")
        string(REPLACE " " "_" shrink "${shrink}")
      endif()
    endif()
    string(APPEND lines "${file} ${verdict} ${inv} runs=${runs} steps=${steps} ops=${ops} ${token} ${shrink}\n")
  endforeach()
endforeach()
set(fixture "${ROOT}/tests/ci/fixtures/baseline.txt")
if(RECORD)
  file(WRITE "${fixture}" "${lines}")
  message(STATUS "recorded the scenarios in ${fixture}")
  return()
endif()
file(READ "${fixture}" want)
if(NOT lines STREQUAL want)
  file(WRITE "${work}/baseline-now.txt" "${lines}")
  execute_process(COMMAND diff -u "${fixture}" "${work}/baseline-now.txt" OUTPUT_VARIABLE d)
  message(FATAL_ERROR "behaviour changed against tests/ci/fixtures/baseline.txt:\n${d}")
endif()
