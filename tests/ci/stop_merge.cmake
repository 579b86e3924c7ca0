# stop_merge.cmake - a report whose search a stop cut after a violation
# merges to the same judgement: the violation, the rest not judged, the
# same exit code (merge took such a shard as complete and marked the rest
# held).
#
# cmake -DTABSIM=path -DWORK=dir -DFIXTURES=dir -P stop_merge.cmake
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${TABSIM}" check steal-4tabs.ini --time-budget 1 --no-timing --json "${WORK}/r.json"
                WORKING_DIRECTORY "${FIXTURES}" RESULT_VARIABLE rc_check OUTPUT_VARIABLE check ERROR_VARIABLE err)
execute_process(COMMAND "${TABSIM}" merge "${WORK}/r.json" --no-timing
                RESULT_VARIABLE rc_merge OUTPUT_VARIABLE merged ERROR_VARIABLE err2)
file(WRITE "${WORK}/check.txt" "${check}")
file(WRITE "${WORK}/merged.txt" "${merged}")
if(NOT rc_check EQUAL 1 OR NOT rc_merge EQUAL 1)
  message(FATAL_ERROR "check exited ${rc_check}, merge ${rc_merge}; both should be 1\n${err}${err2}")
endif()
foreach(text check merged)
  foreach(re "invariants  mutual-exclusion violated, lost-event n/a, duplicate n/a, progress not-judged"
             "\nnot judged  the rest: [^\n]*the time budget of 1 s ran out after [0-9]+ executions"
             "\nverdict     violation \\(mutual-exclusion\\); expected every invariant holds: NOT as expected")
    if(NOT "${${text}}" MATCHES "${re}")
      message(FATAL_ERROR "${text}: no match for ${re}; see ${WORK}/${text}.txt")
    endif()
  endforeach()
endforeach()
