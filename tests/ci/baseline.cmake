# baseline.cmake - behaviour is unchanged by refactoring (issue 11): every
# scenario in scenarios/ and scenarios/suite/ gives the same verdict, the
# same violated invariants, the same number of runs, steps and storage
# operations, and the same found and shrunk counterexample tokens (so the
# same choice sequences) as recorded in tests/ci/fixtures/baseline.txt.
# Scenario hashes survive the move of keys into per-algorithm groups
# (sim/scenario/scenario_hash.c), so the tokens are compared whole.
#
# To record the fixture again after an intended change of behaviour:
#   cmake -DTABSIM=build/tabsim -DROOT=. -DRECORD=1 -P tests/ci/baseline.cmake
cmake_minimum_required(VERSION 3.25)
set(json "${CMAKE_CURRENT_BINARY_DIR}/baseline-check.json")
if(DEFINED WORK)
  set(json "${WORK}/baseline-check.json")
endif()
execute_process(COMMAND "${TABSIM}" check scenarios/ scenarios/suite/ --jobs 2 --no-timing --json "${json}"
                WORKING_DIRECTORY "${ROOT}" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tabsim check scenarios/ scenarios/suite/ exited ${rc}: ${err}")
endif()
file(READ "${json}" doc)
string(JSON n LENGTH "${doc}" scenarios)
math(EXPR last "${n} - 1")
set(lines "")
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
    string(JSON shrink GET "${s}" counterexample shrink)
    string(REGEX REPLACE "^shrunk +" "" shrink "${shrink}")
    string(REGEX REPLACE " \\([0-9]+ shrinking runs[^)]*\\)" "" shrink "${shrink}")
    string(REPLACE " " "_" shrink "${shrink}")
  endif()
  string(APPEND lines "${file} ${verdict} ${inv} runs=${runs} steps=${steps} ops=${ops} ${token} ${shrink}\n")
endforeach()
set(fixture "${ROOT}/tests/ci/fixtures/baseline.txt")
if(RECORD)
  file(WRITE "${fixture}" "${lines}")
  message(STATUS "recorded ${n} scenarios in ${fixture}")
  return()
endif()
file(READ "${fixture}" want)
if(NOT lines STREQUAL want)
  file(WRITE "${json}.txt" "${lines}")
  execute_process(COMMAND diff -u "${fixture}" "${json}.txt" OUTPUT_VARIABLE d)
  message(FATAL_ERROR "behaviour changed against tests/ci/fixtures/baseline.txt:\n${d}")
endif()
