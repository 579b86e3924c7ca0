# reports.cmake - the JSON and JUnit reports are well-formed and tell the
# same story as the text output; merge reads a report back unchanged.
#
# cmake -DTABSIM=path -DSUITE=dir -DWORK=dir [-DPYTHON=path] [-DXMLLINT=path]
#       -P reports.cmake
#
# 1. check SUITE --json --junit (a suite with one unexpected outcome: exit 1)
# 2. the JSON parses (python3 -m json.tool when present; tabsim merge reads
#    it with json-glib in any case) and has the documented members;
# 3. the JUnit XML is well-formed (xmllint when present, else a structural
#    check) with one testcase per scenario and one failure;
# 4. merge of that one report prints the same text and writes the same
#    JSON (but for "command"), exit code included.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/report_lint.cmake)
file(MAKE_DIRECTORY "${WORK}")
set(json "${WORK}/report.json")
set(xml "${WORK}/report.xml")
file(REMOVE "${json}" "${xml}")

execute_process(COMMAND "${TABSIM}" check "${SUITE}" --no-timing --json "${json}" --junit "${xml}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "check exited ${rc}, expected 1\n${out}\n${err}")
endif()
file(READ "${json}" jtext)
foreach(member "\"tool\" : \"tabsim\"" "\"schema\" : 1" "\"exit_code\" : 1" "\"status\" : \"unexpected\""
               "\"status\" : \"expected\"" "\"invariants_violated\"" "\"counterexample\"" "\"token\" : \"ts2-"
               "\"replay\" : \"tabsim replay" "\"timeline\"" "\"statistics\"" "\"storage_ops\"" "\"bound_hits\""
               "\"bounds\"" "\"incomplete_reason\"" "\"mode\" : \"random\"" "\"time_model\" : \"timed\""
               "\"algorithm\" : \"" "\"algorithm_summary\" : \"")
  string(FIND "${jtext}" "${member}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the JSON report lacks ${member}:\n${jtext}")
  endif()
endforeach()
if(jtext MATCHES "elapsed_s")
  message(FATAL_ERROR "--no-timing left elapsed_s in the JSON report")
endif()

file(READ "${xml}" xtext)
report_lint("${json}" "${xml}")
if(NOT xtext MATCHES "^<\\?xml version=\"1.0\" encoding=\"UTF-8\"\\?>\n<testsuites"
   OR NOT xtext MATCHES "</testsuites>\n$")
  message(FATAL_ERROR "the JUnit report is not a testsuites document:\n${xtext}")
endif()
if(NOT xtext MATCHES "<property name=\"algorithm\" value=\"[a-z-]+\"/>")
  message(FATAL_ERROR "the JUnit report does not name the algorithm checked:\n${xtext}")
endif()
string(REGEX MATCHALL "<testcase " cases "${xtext}")
string(REGEX MATCHALL "<failure " failures "${xtext}")
list(LENGTH cases ncases)
list(LENGTH failures nfailures)
if(NOT ncases EQUAL 2 OR NOT nfailures EQUAL 1 OR NOT xtext MATCHES "tests=\"2\" failures=\"1\" errors=\"0\"")
  message(FATAL_ERROR "expected 2 testcases and 1 failure:\n${xtext}")
endif()

execute_process(COMMAND "${TABSIM}" merge "${json}" --no-timing --json "${WORK}/merged.json"
                RESULT_VARIABLE mrc OUTPUT_VARIABLE mout ERROR_VARIABLE merr)
if(NOT mrc EQUAL 1)
  message(FATAL_ERROR "merge of one report exited ${mrc}, expected 1\n${mout}\n${merr}")
endif()
if(NOT mout STREQUAL out)
  file(WRITE "${WORK}/check.txt" "${out}")
  file(WRITE "${WORK}/merge.txt" "${mout}")
  message(FATAL_ERROR "merge prints other text than check; see ${WORK}/check.txt and merge.txt")
endif()
file(READ "${WORK}/merged.json" mtext)
string(REPLACE "\"command\" : \"merge\"" "\"command\" : \"check\"" mtext "${mtext}")
if(NOT mtext STREQUAL jtext)
  message(FATAL_ERROR "merge of one report writes another report; compare ${json} and ${WORK}/merged.json")
endif()
