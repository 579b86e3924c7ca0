# special_files.cmake - tabsim reads only regular files of bounded size.
#
# cmake -DTABSIM=path -DWORK=dir -P special_files.cmake
#
# A FIFO with no writer (run, check and merge used to wait on it forever)
# and sparse files just over the documented limits (16 MiB for a scenario,
# 64 MiB for a report; sparse, so nothing is written) must each be refused
# at once with exit 2 and a message naming the file, what is wrong and
# what is allowed.  Each command gets 20 s: a hang fails the test.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND mkfifo "${WORK}/fifo.ini" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mkfifo failed: ${rc}")
endif()
execute_process(COMMAND truncate -s 16777217 "${WORK}/big.ini" RESULT_VARIABLE rc1)
execute_process(COMMAND truncate -s 67108865 "${WORK}/big.json" RESULT_VARIABLE rc2)
if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
  message(FATAL_ERROR "truncate failed: ${rc1} ${rc2}")
endif()

set(problems "")
# expect(ERR_REGEX command args...)
function(expect err)
  execute_process(COMMAND "${TABSIM}" ${ARGN} WORKING_DIRECTORY "${WORK}" TIMEOUT 20
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE stderr)
  if(NOT rc STREQUAL "2" OR NOT stderr MATCHES "${err}")
    string(APPEND problems "tabsim ${ARGN}: exit ${rc}, expected 2 and stderr matching ${err}\n"
                           "--- stdout:\n${out}\n--- stderr:\n${stderr}\n")
    set(problems "${problems}" PARENT_SCOPE)
  endif()
endfunction()

set(fifo_scenario "fifo\\.ini: not a regular file \\(a FIFO\\); allowed: a scenario \\.ini file")
expect("${fifo_scenario}" run fifo.ini)
expect("${fifo_scenario}" check fifo.ini)
expect("${fifo_scenario}" replay fifo.ini --token ts1-AAAA)
expect("${fifo_scenario}" sweep fifo.ini --vary scenario.tabs=1 --out out.dat)
expect("fifo\\.ini: not a regular file \\(a FIFO\\); allowed: a JSON report written by tabsim check --json"
       merge fifo.ini)
expect("big\\.ini: 16777217 bytes is too large for a scenario file; allowed: at most 16777216 bytes" run big.ini)
expect("big\\.ini: 16777217 bytes is too large for a scenario file" check big.ini)
expect("big\\.json: 67108865 bytes is too large for a report; allowed: at most 67108864 bytes" merge big.json)

# In a directory argument, every *.ini entry but a subdirectory is a
# scenario: a FIFO or a broken link among good files is refused with
# them, not left out in silence (check passed with them skipped).
file(MAKE_DIRECTORY "${WORK}/mixed" "${WORK}/mixed/sub.ini")
file(WRITE "${WORK}/mixed/a.ini" "[scenario]\ntabs = 2\n")
execute_process(COMMAND mkfifo "${WORK}/mixed/c.ini")
file(CREATE_LINK "${WORK}/mixed/gone.txt" "${WORK}/mixed/b.ini" SYMBOLIC)
execute_process(COMMAND "${TABSIM}" check mixed/ --runs 2 --no-timing WORKING_DIRECTORY "${WORK}" TIMEOUT 20
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE stderr)
if(NOT rc STREQUAL "2" OR NOT out MATCHES "3 scenarios: [0-9]+ expected, [0-9]+ unexpected, 0 incomplete, 2 bad input"
   OR NOT stderr MATCHES "b\\.ini: cannot read" OR NOT stderr MATCHES "c\\.ini: not a regular file \\(a FIFO\\)"
   OR out MATCHES "sub\\.ini")
  string(APPEND problems "check mixed/: exit ${rc}, expected 2 with a.ini checked, b.ini (a broken link) and "
                         "c.ini (a FIFO) bad input, sub.ini (a directory) left out\n--- stdout:\n${out}\n"
                         "--- stderr:\n${stderr}\n")
endif()

file(REMOVE_RECURSE "${WORK}")
if(NOT problems STREQUAL "")
  message(FATAL_ERROR "${problems}")
endif()
message(STATUS "FIFO and oversized files refused at once")
