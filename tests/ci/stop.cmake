# stop.cmake - a check stopped by its time budget (or a bound) ends as
# documented: exit 3, an incomplete verdict whose reason names the cause,
# and reports that are still valid.
#
# cmake -DTABSIM=path -DWORK=dir -DARGS=a|b|c -DREASON=regex [-DRESUME=regex]
#       [-DEXPECTATION=regex] [-DPYTHON=path] [-DXMLLINT=path] -P stop.cmake
#
# Runs `tabsim check ARGS --json --junit` in the fixtures directory; the
# verdict line must read "incomplete (REASON...", and say what the scenario
# expected (EXPECTATION, when given), the JSON report must
# parse and say the same, the JUnit report must be well-formed with the
# scenario skipped.  The scenario cannot finish, so nothing here waits for
# a clock: the budget given in ARGS ends it, and ctest's TIMEOUT bounds the
# test if it does not.  (Regexes use "." for ";", which ctest would split.)
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/report_lint.cmake)
file(MAKE_DIRECTORY "${WORK}")
set(json "${WORK}/report.json")
set(xml "${WORK}/report.xml")
file(REMOVE "${json}" "${xml}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${TABSIM}" check ${args} --json "${json}" --junit "${xml}"
                WORKING_DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/fixtures"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(shown "tabsim check ${args}\n--- stdout:\n${out}\n--- stderr:\n${err}")
if(NOT rc EQUAL 3)
  message(FATAL_ERROR "exit ${rc}, expected 3\n${shown}")
endif()
if(NOT out MATCHES "verdict     incomplete \\(${REASON}")
  message(FATAL_ERROR "no incomplete verdict naming ${REASON}\n${shown}")
endif()
if(DEFINED EXPECTATION AND NOT out MATCHES "\\); expected ${EXPECTATION}: no verdict\n")
  message(FATAL_ERROR "the verdict line does not say it expected ${EXPECTATION}\n${shown}")
endif()
if(DEFINED RESUME AND NOT out MATCHES "resume      ${RESUME}")
  message(FATAL_ERROR "no resume line ${RESUME}\n${shown}")
endif()
file(READ "${json}" jtext)
string(JSON code ERROR_VARIABLE jerr GET "${jtext}" exit_code)
if(jerr)
  message(FATAL_ERROR "the JSON report does not parse: ${jerr}\n${jtext}")
endif()
string(JSON status GET "${jtext}" scenarios 0 status)
string(JSON reason GET "${jtext}" scenarios 0 incomplete_reason)
if(NOT code EQUAL 3 OR NOT status STREQUAL "incomplete" OR NOT reason MATCHES "^${REASON}")
  message(FATAL_ERROR "the JSON report says exit ${code}, ${status}, \"${reason}\"\n${jtext}")
endif()
file(READ "${xml}" xtext)
report_lint("${json}" "${xml}")
if(NOT xtext MATCHES "<skipped message=\"incomplete: " OR NOT xtext MATCHES "</testsuites>\n$")
  message(FATAL_ERROR "the JUnit report does not skip the incomplete scenario:\n${xtext}")
endif()
