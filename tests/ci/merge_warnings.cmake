# merge_warnings.cmake - the warnings the code logged survive the JSON
# report and a merge: two shards of scenarios/quota-keep.ini (every run's
# SDK warns that it fell back when the quota refused an add) merge to the
# runs and first warning one check prints.
#
# cmake -DTABSIM=path -DWORK=dir -DSCENARIOS=dir -P merge_warnings.cmake
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK}")
set(ini "${SCENARIOS}/quota-keep.ini")
execute_process(COMMAND "${TABSIM}" check "${ini}" --no-timing RESULT_VARIABLE rc OUTPUT_VARIABLE whole)
foreach(k 0 1)
  execute_process(COMMAND "${TABSIM}" check "${ini}" --shard ${k}/2 --no-timing --json "${WORK}/s${k}.json"
                  RESULT_VARIABLE rc_s OUTPUT_QUIET)
  if(NOT rc_s EQUAL 0)
    message(FATAL_ERROR "shard ${k}/2 exited ${rc_s}")
  endif()
endforeach()
execute_process(COMMAND "${TABSIM}" merge "${WORK}/s0.json" "${WORK}/s1.json" --no-timing
                RESULT_VARIABLE rc_m OUTPUT_VARIABLE merged)
file(READ "${WORK}/s0.json" json)
if(NOT json MATCHES "\"warn_runs\" : [1-9]" OR NOT json MATCHES "\"warning_first\" : \"tab[0-9]: Failed to add event")
  message(FATAL_ERROR "no warnings in the shard's report: ${WORK}/s0.json")
endif()
set(re "\nwarnings    the code logged warnings in 20 of 20 runs; the first: tab[0-9]: Failed to add event with cross-tab safety, falling back to sync: storage quota exceeded\n")
if(NOT rc EQUAL 0 OR NOT rc_m EQUAL 0 OR NOT whole MATCHES "${re}" OR NOT merged MATCHES "${re}")
  message(FATAL_ERROR "check exited ${rc}, merge ${rc_m}; no match for ${re}\ncheck:\n${whole}\nmerge:\n${merged}")
endif()
