# shard.cmake - shards 0/N..N-1/N merged give the verdict of one check.
#
# cmake -DTABSIM=path -DWORK=dir -DN=n -DARGS=a|b|c -P shard.cmake
#
# Runs check ARGS unsharded and as N shards (--json each), merges the shard
# reports (in reverse order, to show order does not matter) and compares:
# every verdict line, found line, counterexample and replay command must be
# the same; for scenarios without a violation the run counts must be too (a
# shard stops at its own first violation, so with a violation the shards
# together may have made more runs than one machine).  The exit codes match.
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${TABSIM}" check ${args} --no-timing RESULT_VARIABLE rc_full OUTPUT_VARIABLE full
                ERROR_VARIABLE err)
set(reports "")
math(EXPR last "${N} - 1")
foreach(k RANGE ${last})
  execute_process(COMMAND "${TABSIM}" check ${args} --no-timing --shard ${k}/${N} --json "${WORK}/shard${k}.json"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc MATCHES "^[01]$")
    message(FATAL_ERROR "shard ${k}/${N} exited ${rc}\n${out}\n${err}")
  endif()
  list(PREPEND reports "${WORK}/shard${k}.json")
endforeach()
execute_process(COMMAND "${TABSIM}" merge ${reports} --no-timing RESULT_VARIABLE rc_merged OUTPUT_VARIABLE merged
                ERROR_VARIABLE err)
file(WRITE "${WORK}/full.txt" "${full}")
file(WRITE "${WORK}/merged.txt" "${merged}")
if(NOT rc_merged EQUAL rc_full)
  message(FATAL_ERROR "merge exited ${rc_merged}, one check ${rc_full}\n${err}")
endif()
foreach(text full merged)
  string(REGEX MATCHALL "\n(check|found|violation|replay|verdict)  +[^\n]*" ${text}_lines "\n${${text}}")
  string(REGEX MATCHALL "\n            [^ ][^\n]* passed [^\n]*" ${text}_passed "${${text}}")
endforeach()
if(NOT full_lines STREQUAL merged_lines OR NOT full_passed STREQUAL merged_passed)
  message(FATAL_ERROR "merged shards differ from one check; compare ${WORK}/full.txt and ${WORK}/merged.txt")
endif()
list(LENGTH full_lines n)
if(n LESS 4)
  message(FATAL_ERROR "too little to compare:\n${full}")
endif()
