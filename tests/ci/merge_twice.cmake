# merge_twice.cmake - a scenario the check was given twice (a directory and
# a file in it) is two scenarios in every shard's report; merge pairs the
# first with the first and the second with the second, and prints what one
# check prints.  It refused: "shards 0/2 and 0/2 differ in their shard
# index (the same shard given twice)".
#
# cmake -DTABSIM=path -DFIX=fixtures-dir -DWORK=dir -P merge_twice.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(args check suite/ suite/a-lock.ini --runs 10 --no-timing)
execute_process(COMMAND "${TABSIM}" ${args} WORKING_DIRECTORY "${FIX}" RESULT_VARIABLE rc OUTPUT_VARIABLE whole)
foreach(k 0 1)
  execute_process(COMMAND "${TABSIM}" ${args} --shard ${k}/2 --json "${WORK}/s${k}.json" WORKING_DIRECTORY "${FIX}"
                  RESULT_VARIABLE rc_s OUTPUT_QUIET)
  if(NOT rc_s EQUAL rc)
    message(FATAL_ERROR "shard ${k}/2 exited ${rc_s}, the whole check ${rc}")
  endif()
endforeach()
execute_process(COMMAND "${TABSIM}" merge "${WORK}/s0.json" "${WORK}/s1.json" --no-timing
                RESULT_VARIABLE rc_m OUTPUT_VARIABLE merged ERROR_VARIABLE err)
if(NOT rc_m EQUAL rc OR NOT merged STREQUAL whole OR NOT whole MATCHES "a-lock.+a-lock")
  message(FATAL_ERROR "check exited ${rc}, merge ${rc_m}: ${err}\ncheck:\n${whole}\nmerge:\n${merged}")
endif()
